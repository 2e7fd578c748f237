package jangle.banking;

import java.math.BigDecimal;
import java.time.Instant;

/** System (Request saga, step 1): puts a request before the funding account's holder (B15). */
public record GetRequestApproval(String fundedAccountId, String fundingAccountId, BigDecimal amount,
                                 String transactionId, Instant timeoutAt) implements BankCommand {
    public GetRequestApproval {
        fundedAccountId = Fields.accountId("fundedAccountId", fundedAccountId);
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        amount = Fields.amount("amount", amount);
        transactionId = Fields.transactionId(transactionId);
        Fields.required("timeoutAt", timeoutAt);
        Fields.differ("fundingAccountId", fundedAccountId, fundingAccountId, Fields.SAME_ACCOUNT_REQUEST);
    }

    @Override
    public String aggregateId() {
        return fundingAccountId;
    }
}
