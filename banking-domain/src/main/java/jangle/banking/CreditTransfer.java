package jangle.banking;

import java.math.BigDecimal;

/** System (transfer mediator, step 1): credits a debited transfer to the funded account (B20). */
public record CreditTransfer(String fundingAccountId, String fundedAccountId, BigDecimal amount,
                             String transactionId) implements BankCommand {
    public CreditTransfer {
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        fundedAccountId = Fields.accountId("fundedAccountId", fundedAccountId);
        amount = Fields.amount("amount", amount);
        transactionId = Fields.transactionId(transactionId);
        Fields.differ("fundedAccountId", fundingAccountId, fundedAccountId, Fields.SAME_ACCOUNT_SEND);
    }

    @Override
    public String aggregateId() {
        return fundedAccountId;
    }
}
