package jangle.banking;

import jangle.Aggregate;
import jangle.CommandResponse;
import jangle.ReconstituteState;
import jangle.Snapshottable;
import jangle.ValidateCommand;

/**
 * The creation aggregate of accounts (banking.md §5, framework §4). Its version is the number of accounts ever
 * created and it has no other state (B1): the n-th {@link CreateAccount} takes number n. Two concurrent creations
 * compute the same number and collide on this aggregate's version; the loser is revalidated and takes the next one,
 * so numbers are never skipped or reused (B5, C2).
 *
 * <p>Snapshottable every 100 versions with an empty state, so creating an account reads one snapshot and at most 99
 * events whatever the number of accounts (B4, C3).
 */
public final class AccountCreationAggregate extends Aggregate
        implements Snapshottable<AccountCreationAggregate.State> {
    /** The aggregate id every {@link CreateAccount} is routed to. */
    public static final String ID = "ACCOUNT_CREATION_AGGREGATE";

    /** The snapshot state: nothing, because the version is the whole state (framework S7). */
    public record State() {
    }

    public AccountCreationAggregate(String id) {
        super(id);
    }

    /**
     * The account number of the n-th account: {@code n} with at least 6 digits, zero-padded ({@code 000001} …
     * {@code 999999}, then {@code 1000000}, …); banking.md §12 bug 10.
     */
    public static String accountIdOf(long n) {
        if (n < 1) throw new IllegalArgumentException("account numbers start at 1, was " + n);
        String digits = Long.toString(n);
        return digits.length() >= 6 ? digits : "000000".substring(digits.length()) + digits;
    }

    /** B2, B3: always accepted; provisions number {@code nextVersion} and opens the account atomically (C1). */
    @ValidateCommand
    CommandResponse create(CreateAccount c, long nextVersion) {
        String accountId = accountIdOf(nextVersion);
        post(new AccountIdProvisioned(accountId));
        post(accountId, new AccountCreated(accountId, c.name()));
        if (c.initialDeposit() != null) {
            post(accountId, new FundsDeposited(accountId, c.initialDeposit(), c.initialDeposit(), c.transactionId()));
        }
        return CommandResponse.accepted(accountId);
    }

    /** The version is the state; the framework advances it (A3). */
    @ReconstituteState
    void on(AccountIdProvisioned e) {
    }

    @Override
    public int snapshotFrequency() {
        return 100;
    }

    @Override
    public State snapshot() {
        return new State();
    }

    @Override
    public void applySnapshot(State state) {
        // nothing to restore: the framework sets the version
    }
}
