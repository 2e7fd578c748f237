package jangle.banking;

import java.math.BigDecimal;

/** On the funding account: a transfer's money left it (B8); the mediator finishes the transfer. */
public record TransferDebited(String fundingAccountId, String fundedAccountId, BigDecimal amount, BigDecimal balance,
                              String transactionId) implements BankEvent {
    public TransferDebited {
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
