package jangle.banking;

import java.math.BigDecimal;

/**
 * The answer to {@link BankStats}. Money values have scale 2.
 *
 * @param activeAccounts    accounts with a name, not deleted
 * @param deletedAccounts   deleted accounts
 * @param netBalance        sum of all balances, deleted accounts included
 * @param transactionCount  money movements recorded
 * @param averageDeposit    mean deposit (initial deposits included), half-even to 2 places; 0.00 when none
 * @param averageWithdrawal mean withdrawal, half-even to 2 places; 0.00 when none
 * @param debtForgiven      sum of forgiven debts; 0.00 when none
 */
public record BankStatistics(long activeAccounts, long deletedAccounts, BigDecimal netBalance, long transactionCount,
                             BigDecimal averageDeposit, BigDecimal averageWithdrawal, BigDecimal debtForgiven) {
}
