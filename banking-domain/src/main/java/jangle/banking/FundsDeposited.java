package jangle.banking;

import java.math.BigDecimal;

/** Money was put into the account (B6; also the initial deposit, B3). */
public record FundsDeposited(String accountId, BigDecimal amount, BigDecimal balance,
                             String transactionId) implements BankEvent {
    public FundsDeposited {
        Fields.accountId("accountId", accountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
