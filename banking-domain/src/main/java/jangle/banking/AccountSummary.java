package jangle.banking;

import java.util.Optional;

/** One account with its pending requests; empty when unknown, not yet in the views, or deleted (banking.md §9). */
public record AccountSummary(String accountId) implements BankQuery<Optional<AccountSummaryView>> {
    public AccountSummary {
        Fields.accountId("accountId", accountId);
    }
}
