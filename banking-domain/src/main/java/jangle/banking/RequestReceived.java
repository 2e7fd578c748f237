package jangle.banking;

import java.math.BigDecimal;
import java.time.Instant;

/** On the funding account: a request awaits its holder's decision until {@code timeoutAt} (B15). */
public record RequestReceived(String fundedAccountId, String fundingAccountId, BigDecimal amount,
                              String transactionId, Instant timeoutAt) implements BankEvent {
    public RequestReceived {
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.required("amount", amount);
        Fields.transactionId(transactionId);
        Fields.required("timeoutAt", timeoutAt);
    }
}
