package jangle.banking.app.views;

import java.math.BigDecimal;

/**
 * The money figures of the read models that the conservation rule compares (banking.md W7, W9): the sum of all
 * balances in {@code bank_summary} (deleted accounts included) and the sums of {@code deposits},
 * {@code withdrawals} and {@code debts_forgiven}. All scale 2.
 */
public record MoneyTotals(BigDecimal balances, BigDecimal deposits, BigDecimal withdrawals, BigDecimal debtsForgiven) {
    /** deposits − withdrawals + forgiven debts: what the balances must add up to when nothing is in flight (W7). */
    public BigDecimal expectedBalances() {
        return deposits.subtract(withdrawals).add(debtsForgiven);
    }

    /** True when the balances add up to the cent (W7 on the read models, W9). */
    public boolean conserved() {
        return balances.compareTo(expectedBalances()) == 0;
    }
}
