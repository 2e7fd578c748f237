package jangle.banking;

/** On `ACCOUNT_CREATION_AGGREGATE`: an account number was handed out (B3). Its version is the number. */
public record AccountIdProvisioned(String accountId) implements BankEvent {
    public AccountIdProvisioned {
        Fields.accountId("accountId", accountId);
    }
}
