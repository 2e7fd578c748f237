package jangle.jdbc;

import jangle.Aggregate;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.InvalidMessageException;
import jangle.ReconstituteState;
import jangle.ValidateCommand;

import java.math.BigDecimal;

/** A tiny account domain for the store-level concurrency test: deposits and withdrawals with a −100 floor. */
final class TestBank {
    private TestBank() {
    }

    static final BigDecimal FLOOR = new BigDecimal("-100");

    sealed interface Cmd extends Command permits Deposit, Withdraw {
    }

    record Deposit(String accountId, BigDecimal amount) implements Cmd {
        Deposit {
            if (amount == null || amount.signum() <= 0) throw new InvalidMessageException("amount", "must be > 0");
        }

        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    record Withdraw(String accountId, BigDecimal amount) implements Cmd {
        Withdraw {
            if (amount == null || amount.signum() <= 0) throw new InvalidMessageException("amount", "must be > 0");
        }

        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    sealed interface Evt extends Event permits Deposited, Withdrawn {
    }

    record Deposited(BigDecimal amount) implements Evt {
    }

    record Withdrawn(BigDecimal amount) implements Evt {
    }

    static final class Account extends Aggregate {
        private BigDecimal balance = BigDecimal.ZERO;

        Account(String id) {
            super(id);
        }

        @ValidateCommand
        CommandResponse deposit(Deposit c) {
            post(new Deposited(c.amount()));
            return CommandResponse.accepted();
        }

        @ValidateCommand
        CommandResponse withdraw(Withdraw c) {
            if (balance.subtract(c.amount()).compareTo(FLOOR) < 0) return CommandResponse.rejected("Insufficient funds");
            post(new Withdrawn(c.amount()));
            return CommandResponse.accepted();
        }

        @ReconstituteState
        void on(Deposited e) {
            balance = balance.add(e.amount());
        }

        @ReconstituteState
        void on(Withdrawn e) {
            balance = balance.subtract(e.amount());
        }
    }
}
