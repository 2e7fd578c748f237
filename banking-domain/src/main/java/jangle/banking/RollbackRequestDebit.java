package jangle.banking;

/** System compensation (Request saga, step 2d): gives a request's debit back to the funding account (B18, B25). */
public record RollbackRequestDebit(String fundingAccountId, String transactionId) implements BankCommand {
    public RollbackRequestDebit {
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        transactionId = Fields.transactionId(transactionId);
    }

    @Override
    public String aggregateId() {
        return fundingAccountId;
    }
}
