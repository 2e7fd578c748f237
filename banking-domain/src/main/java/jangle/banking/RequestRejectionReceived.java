package jangle.banking;

/** On the requester: its request was rejected or could not be carried out (B19). */
public record RequestRejectionReceived(String fundedAccountId, String transactionId) implements BankEvent {
    public RequestRejectionReceived {
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.transactionId(transactionId);
    }
}
