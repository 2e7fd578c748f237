package jangle.banking;

import jangle.Query;

/**
 * Everything Jangle Banking can be asked (banking.md §9). The records are top-level types of this package; their
 * handlers read the {@code bank-views} read models and belong to the application, not to this module. Queries are
 * validated on construction like commands (framework M5).
 *
 * @param <R> the result type
 */
public sealed interface BankQuery<R> extends Query<R> permits AccountsList, BankStats, AccountSummary, AccountLedger {
}
