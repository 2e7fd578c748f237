package jangle.banking;

/** The funding account's holder rejects a pending request (B14). */
public record RejectRequest(String fundingAccountId, String transactionId) implements BankCommand {
    public RejectRequest {
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        transactionId = Fields.transactionId(transactionId);
    }

    @Override
    public String aggregateId() {
        return fundingAccountId;
    }
}
