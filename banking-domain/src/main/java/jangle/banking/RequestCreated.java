package jangle.banking;

import java.math.BigDecimal;
import java.time.Instant;

/** On the requester (funded account): it asked the funding account for money (B9); starts the Request saga. */
public record RequestCreated(String fundedAccountId, String fundingAccountId, BigDecimal amount,
                             String transactionId, Instant timeoutAt) implements BankEvent {
    public RequestCreated {
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.required("amount", amount);
        Fields.transactionId(transactionId);
        Fields.required("timeoutAt", timeoutAt);
    }
}
