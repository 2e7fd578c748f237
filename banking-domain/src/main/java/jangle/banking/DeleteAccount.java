package jangle.banking;

/** Soft-deletes an account; its events, ledger and money stay (B11, B26). */
public record DeleteAccount(String accountId) implements BankCommand {
    public DeleteAccount {
        accountId = Fields.accountId("accountId", accountId);
    }

    @Override
    public String aggregateId() {
        return accountId;
    }
}
