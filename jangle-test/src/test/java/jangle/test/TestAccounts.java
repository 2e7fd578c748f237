package jangle.test;

import jangle.Aggregate;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.ReconstituteState;
import jangle.ValidateCommand;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A tiny account domain for the fixtures' own tests: a creation aggregate and accounts with a floor of zero. */
final class TestAccounts {
    private TestAccounts() {
    }

    static final String CREATOR = "ACCOUNT_CREATION";

    sealed interface AccountCommand extends Command permits Create, Deposit, Withdraw, SneakyWithdraw, Touch, LowerFloor, Explode {
    }

    record Create(String name) implements AccountCommand {
        @Override
        public String aggregateId() {
            return CREATOR;
        }
    }

    record Deposit(String accountId, BigDecimal amount) implements AccountCommand {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    record Withdraw(String accountId, BigDecimal amount) implements AccountCommand {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    /** Its validator assigns the balance directly: an A7 violation the fixture must catch. */
    record SneakyWithdraw(String accountId, BigDecimal amount) implements AccountCommand {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    /** Its validator adds to a list field and changes nothing else: also an A7 violation. */
    record Touch(String accountId) implements AccountCommand {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    /** Its validator changes a field inside a helper object: an A7 violation found by walking that object. */
    record LowerFloor(String accountId) implements AccountCommand {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    /** Its validator throws (A10). */
    record Explode(String accountId) implements AccountCommand {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    sealed interface AccountEvent extends Event permits Provisioned, Opened, Deposited, Withdrawn {
    }

    record Provisioned(String accountId) implements AccountEvent {
    }

    record Opened(String accountId, String name, Instant at) implements AccountEvent {
    }

    record Deposited(String accountId, BigDecimal amount) implements AccountEvent {
    }

    record Withdrawn(String accountId, BigDecimal amount, BigDecimal balance) implements AccountEvent {
    }

    /** The creation aggregate: its version is the account counter (C1). */
    static final class Creator extends Aggregate {
        Creator(String id) {
            super(id);
        }

        @ValidateCommand
        CommandResponse create(Create c, long nextVersion) {
            String accountId = String.format("%06d", nextVersion);
            post(new Provisioned(accountId));
            post(accountId, new Opened(accountId, c.name(), clock().instant()));
            return CommandResponse.accepted(accountId);
        }

        @ReconstituteState
        void on(Provisioned e) {
        }
    }

    /** A helper object without equals, so the A7 check must compare it field by field. */
    static final class Limits {
        BigDecimal floor = BigDecimal.ZERO;
    }

    static final class Account extends Aggregate {
        private String name;
        private BigDecimal balance = BigDecimal.ZERO;
        private final List<String> history = new ArrayList<>();
        private final Limits limits = new Limits();

        Account(String id) {
            super(id);
        }

        @ValidateCommand
        void deposit(Deposit c) {
            post(new Deposited(id(), c.amount()));
        }

        @ValidateCommand
        CommandResponse withdraw(Withdraw c) {
            BigDecimal after = balance.subtract(c.amount());
            if (after.compareTo(limits.floor) < 0) return CommandResponse.rejected("Insufficient funds");
            post(new Withdrawn(id(), c.amount(), after));
            return CommandResponse.accepted();
        }

        @ValidateCommand
        CommandResponse sneaky(SneakyWithdraw c) {
            balance = balance.subtract(c.amount());
            post(new Withdrawn(id(), c.amount(), balance));
            return CommandResponse.accepted();
        }

        @ValidateCommand
        void touch(Touch c) {
            history.add("touched");
        }

        @ValidateCommand
        void lower(LowerFloor c) {
            limits.floor = new BigDecimal("-100");
        }

        @ValidateCommand
        void explode(Explode c) {
            throw new IllegalStateException("boom");
        }

        @ReconstituteState
        void on(Opened e) {
            name = e.name();
            history.add("opened");
        }

        @ReconstituteState
        void on(Deposited e) {
            balance = balance.add(e.amount());
        }

        @ReconstituteState
        void on(Withdrawn e) {
            balance = e.balance();
        }

        /** A bad validator signature (A1): it returns a String. */
        static final class Broken extends Aggregate {
            Broken(String id) {
                super(id);
            }

            @ValidateCommand
            String wrong(Deposit c) {
                return "no";
            }
        }

        String name() {
            return name;
        }

        BigDecimal balance() {
            return balance;
        }
    }
}
