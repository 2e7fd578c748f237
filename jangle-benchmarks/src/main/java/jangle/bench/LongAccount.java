package jangle.bench;

import jangle.Aggregate;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.ReconstituteState;
import jangle.Snapshottable;
import jangle.ValidateCommand;

import java.math.BigDecimal;

/**
 * An account with a long history, for the rehydration and global-feed benchmarks. {@link Credit} posts many events in
 * one command (so a 100,000-event stream is written by a few commands, not 100,000); {@link Inspect} posts nothing,
 * so sending it with the aggregate cache off measures exactly the rebuild (snapshot read, event replay) and the
 * validation, with no append. The snapshot frequency is chosen per instance: 0 turns snapshots off.
 */
public final class LongAccount extends Aggregate implements Snapshottable<LongAccount.State> {
    public sealed interface Cmd extends Command permits Credit, Inspect {
    }

    /** Posts {@code count} credits of {@code amount}. */
    public record Credit(String accountId, int count, BigDecimal amount) implements Cmd {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    /** Rebuilds the account and posts nothing; the response carries the version reached. */
    public record Inspect(String accountId) implements Cmd {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    public sealed interface Evt extends Event permits Credited {
    }

    /** Same shape and size as {@link BenchAccount.Deposited}. */
    public record Credited(BigDecimal amount, BigDecimal balance) implements Evt {
    }

    /** The whole state, for snapshots. */
    public record State(BigDecimal balance, long credits) {
    }

    private final int snapshotFrequency;
    private BigDecimal balance = BigDecimal.ZERO;
    private long credits;

    public LongAccount(String id, int snapshotFrequency) {
        super(id);
        this.snapshotFrequency = snapshotFrequency;
    }

    @ValidateCommand
    CommandResponse credit(Credit c) {
        BigDecimal b = balance;
        for (int i = 0; i < c.count(); i++) {
            b = b.add(c.amount());
            post(new Credited(c.amount(), b));
        }
        return CommandResponse.accepted();
    }

    @ValidateCommand
    CommandResponse inspect(Inspect c) {
        return credits == version() ? CommandResponse.accepted() : CommandResponse.rejected("state and version disagree");
    }

    @ReconstituteState
    void on(Credited e) {
        balance = e.balance();
        credits++;
    }

    long credits() {
        return credits;
    }

    @Override
    public int snapshotFrequency() {
        return snapshotFrequency;
    }

    @Override
    public State snapshot() {
        return new State(balance, credits);
    }

    @Override
    public void applySnapshot(State state) {
        balance = state.balance();
        credits = state.credits();
    }
}
