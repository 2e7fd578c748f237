package jangle.banking;

/** An account was opened; version 1 of the new account's stream (B3). */
public record AccountCreated(String accountId, String name) implements BankEvent {
    public AccountCreated {
        Fields.accountId("accountId", accountId);
        Fields.required("name", name);
    }
}
