package jangle.banking;

/** Renames an account (B12); the name is normalised by the §2 name rule. */
public record ChangeAccountName(String accountId, String name) implements BankCommand {
    public ChangeAccountName {
        accountId = Fields.accountId("accountId", accountId);
        name = Fields.name(name);
    }

    @Override
    public String aggregateId() {
        return accountId;
    }
}
