package jangle.banking;

/** On the funding account: its holder accepted the request (B13). */
public record RequestApproved(String fundingAccountId, String fundedAccountId,
                              String transactionId) implements BankEvent {
    public RequestApproved {
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.transactionId(transactionId);
    }
}
