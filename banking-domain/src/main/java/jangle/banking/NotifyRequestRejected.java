package jangle.banking;

/** System (Request saga): tells the requester its request was rejected or could not be carried out (B19). */
public record NotifyRequestRejected(String fundedAccountId, String fundingAccountId, String transactionId)
        implements BankCommand {
    public NotifyRequestRejected {
        fundedAccountId = Fields.accountId("fundedAccountId", fundedAccountId);
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        transactionId = Fields.transactionId(transactionId);
    }

    @Override
    public String aggregateId() {
        return fundedAccountId;
    }
}
