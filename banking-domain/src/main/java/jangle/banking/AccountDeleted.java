package jangle.banking;

/** The account was soft-deleted; its events and money stay (B11). */
public record AccountDeleted(String accountId) implements BankEvent {
    public AccountDeleted {
        Fields.accountId("accountId", accountId);
    }
}
