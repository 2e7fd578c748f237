package jangle.banking;

/** The holder's display name changed (B12). */
public record AccountNameChanged(String accountId, String name) implements BankEvent {
    public AccountNameChanged {
        Fields.accountId("accountId", accountId);
        Fields.required("name", name);
    }
}
