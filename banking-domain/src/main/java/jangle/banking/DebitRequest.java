package jangle.banking;

/** System (Request saga, step 2): debits an approved request from the funding account (B16). */
public record DebitRequest(String fundingAccountId, String transactionId) implements BankCommand {
    public DebitRequest {
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        transactionId = Fields.transactionId(transactionId);
    }

    @Override
    public String aggregateId() {
        return fundingAccountId;
    }
}
