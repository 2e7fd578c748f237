package jangle.bench;

import jangle.Aggregate;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.ReconstituteState;
import jangle.ValidateCommand;

import java.math.BigDecimal;

/** A minimal account for benchmarking the framework itself: deposits and withdrawals with a −100 floor. */
public final class BenchAccount extends Aggregate {
    static final BigDecimal FLOOR = new BigDecimal("-100.00");

    public sealed interface Cmd extends Command permits Deposit, Withdraw {
    }

    public record Deposit(String accountId, BigDecimal amount) implements Cmd {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    public record Withdraw(String accountId, BigDecimal amount) implements Cmd {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    public sealed interface Evt extends Event permits Deposited, Withdrawn {
    }

    public record Deposited(BigDecimal amount, BigDecimal balance) implements Evt {
    }

    public record Withdrawn(BigDecimal amount, BigDecimal balance) implements Evt {
    }

    private BigDecimal balance = BigDecimal.ZERO;

    public BenchAccount(String id) {
        super(id);
    }

    @ValidateCommand
    CommandResponse deposit(Deposit c) {
        post(new Deposited(c.amount(), balance.add(c.amount())));
        return CommandResponse.accepted();
    }

    @ValidateCommand
    CommandResponse withdraw(Withdraw c) {
        BigDecimal after = balance.subtract(c.amount());
        if (after.compareTo(FLOOR) < 0) return CommandResponse.rejected("Insufficient funds");
        post(new Withdrawn(c.amount(), after));
        return CommandResponse.accepted();
    }

    @ReconstituteState
    void on(Deposited e) {
        balance = e.balance();
    }

    @ReconstituteState
    void on(Withdrawn e) {
        balance = e.balance();
    }
}
