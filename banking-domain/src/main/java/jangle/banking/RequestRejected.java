package jangle.banking;

/** On the funding account: its holder rejected the request (B14). */
public record RequestRejected(String fundingAccountId, String fundedAccountId,
                              String transactionId) implements BankEvent {
    public RequestRejected {
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.transactionId(transactionId);
    }
}
