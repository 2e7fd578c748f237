package jangle.banking;

/** The funding account's holder accepts a pending request (B13). */
public record AcceptRequest(String fundingAccountId, String transactionId) implements BankCommand {
    public AcceptRequest {
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        transactionId = Fields.transactionId(transactionId);
    }

    @Override
    public String aggregateId() {
        return fundingAccountId;
    }
}
