package jangle.banking;

import java.math.BigDecimal;

/** The bank forgave the account's debt: {@code amount} is the debt (positive); the balance becomes 0.00 (B10). */
public record DebtForgiven(String accountId, BigDecimal amount, String transactionId) implements BankEvent {
    public DebtForgiven {
        Fields.accountId("accountId", accountId);
        Fields.required("amount", amount);
        Fields.transactionId(transactionId);
    }
}
