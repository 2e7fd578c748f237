package jangle.banking;

import java.util.List;

/** An account's money movements, oldest first; also for deleted accounts, empty for unknown ones (banking.md §9). */
public record AccountLedger(String accountId) implements BankQuery<List<LedgerEntry>> {
    public AccountLedger {
        Fields.accountId("accountId", accountId);
    }
}
