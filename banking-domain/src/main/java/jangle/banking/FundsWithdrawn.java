package jangle.banking;

import java.math.BigDecimal;

/** Money was taken out of the account (B7). */
public record FundsWithdrawn(String accountId, BigDecimal amount, BigDecimal balance,
                             String transactionId) implements BankEvent {
    public FundsWithdrawn {
        Fields.accountId("accountId", accountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
