package jangle.banking;

import java.math.BigDecimal;

/**
 * "Request funds": the funded account (the requester) asks the funding account for money (B9). Decided by the
 * requester; the {@link RequestSaga} carries it to the funding account. The transaction id is generated when null.
 */
public record Request(String fundedAccountId, String fundingAccountId, BigDecimal amount, String transactionId)
        implements BankCommand {
    public Request {
        fundedAccountId = Fields.accountId("fundedAccountId", fundedAccountId);
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        amount = Fields.amount("amount", amount);
        transactionId = Fields.transactionIdOrNew(transactionId);
        Fields.differ("fundingAccountId", fundedAccountId, fundingAccountId, Fields.SAME_ACCOUNT_REQUEST);
    }

    public Request(String fundedAccountId, String fundingAccountId, BigDecimal amount) {
        this(fundedAccountId, fundingAccountId, amount, null);
    }

    @Override
    public String aggregateId() {
        return fundedAccountId;
    }
}
