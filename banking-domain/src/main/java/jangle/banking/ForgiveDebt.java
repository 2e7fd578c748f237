package jangle.banking;

/** The bank sets a negative balance back to 0.00, at most twice per account (B10, B22). Tx generated when null. */
public record ForgiveDebt(String accountId, String transactionId) implements BankCommand {
    public ForgiveDebt {
        accountId = Fields.accountId("accountId", accountId);
        transactionId = Fields.transactionIdOrNew(transactionId);
    }

    public ForgiveDebt(String accountId) {
        this(accountId, null);
    }

    @Override
    public String aggregateId() {
        return accountId;
    }
}
