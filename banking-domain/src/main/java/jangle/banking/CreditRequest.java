package jangle.banking;

/** System (Request saga, step 2c): credits a debited request to the requester (B17). */
public record CreditRequest(String fundedAccountId, String transactionId) implements BankCommand {
    public CreditRequest {
        fundedAccountId = Fields.accountId("fundedAccountId", fundedAccountId);
        transactionId = Fields.transactionId(transactionId);
    }

    @Override
    public String aggregateId() {
        return fundedAccountId;
    }
}
