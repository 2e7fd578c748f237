package jangle.banking;

import java.math.BigDecimal;

/** On the funded account: a transfer's money arrived (B20). */
public record TransferCredited(String fundedAccountId, String fundingAccountId, BigDecimal amount,
                               BigDecimal balance, String transactionId) implements BankEvent {
    public TransferCredited {
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
