package jangle;

import java.math.BigDecimal;
import java.util.Objects;

/** A tiny account domain for the core's own tests: deposits, withdrawals with a −100 floor, creation aggregate. */
final class Bank {
    private Bank() {
    }

    static final BigDecimal FLOOR = new BigDecimal("-100");

    sealed interface Cmd extends Command permits Open, Deposit, Withdraw, Explode, Rename {
    }

    record Open(String name) implements Cmd {
        Open {
            if (name == null || name.isBlank()) throw new InvalidMessageException("name", "name is required");
        }

        @Override
        public String aggregateId() {
            return Creator.ID;
        }
    }

    record Deposit(String accountId, BigDecimal amount) implements Cmd {
        Deposit {
            Objects.requireNonNull(accountId);
            if (amount == null || amount.signum() <= 0) {
                throw new InvalidMessageException("amount", "amount must be greater than 0");
            }
        }

        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    record Withdraw(String accountId, BigDecimal amount) implements Cmd {
        Withdraw {
            Objects.requireNonNull(accountId);
            if (amount == null || amount.signum() <= 0) {
                throw new InvalidMessageException("amount", "amount must be greater than 0");
            }
        }

        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    /** A command whose validator throws: a programming error (A10). */
    record Explode(String accountId) implements Cmd {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    /** Accepted without events when the name is unchanged. */
    record Rename(String accountId, String name) implements Cmd {
        @Override
        public String aggregateId() {
            return accountId;
        }
    }

    sealed interface Evt extends Event permits Opened, Provisioned, Deposited, Withdrawn, Renamed {
    }

    record Provisioned(String accountId) implements Evt {
    }

    record Opened(String accountId, String name) implements Evt {
    }

    record Deposited(BigDecimal amount) implements Evt {
    }

    record Withdrawn(BigDecimal amount) implements Evt {
    }

    @EventType(name = "AccountRenamed", schemaVersion = 2)
    record Renamed(String name) implements Evt {
    }

    /** The creation aggregate: its version is the account counter (C1). */
    static final class Creator extends Aggregate implements Snapshottable<Creator.State> {
        static final String ID = "ACCOUNT_CREATION";

        record State() {
        }

        Creator(String id) {
            super(id);
        }

        @ValidateCommand
        CommandResponse open(Open c, long nextVersion) {
            String accountId = String.format("%06d", nextVersion);
            post(new Provisioned(accountId));
            post(accountId, new Opened(accountId, c.name()));
            return CommandResponse.accepted(accountId);
        }

        @ReconstituteState
        void on(Provisioned e) {
            // the version is the state (A3)
        }

        @Override
        public int snapshotFrequency() {
            return 10;
        }

        @Override
        public State snapshot() {
            return new State();
        }

        @Override
        public void applySnapshot(State state) {
        }
    }

    /** An account with a −100 floor; snapshots every {@code frequency} versions. */
    static final class Account extends Aggregate implements Snapshottable<Account.State> {
        record State(boolean exists, String name, BigDecimal balance) {
        }

        private boolean exists;
        private String name;
        private BigDecimal balance = BigDecimal.ZERO;
        private final int frequency;

        Account(String id) {
            this(id, 0);
        }

        Account(String id, int frequency) {
            super(id);
            this.frequency = frequency;
        }

        BigDecimal balance() {
            return balance;
        }

        @ValidateCommand
        CommandResponse deposit(Deposit c) {
            if (!exists) return CommandResponse.rejected("Account does not exist");
            post(new Deposited(c.amount()));
            return CommandResponse.accepted();
        }

        @ValidateCommand
        CommandResponse withdraw(Withdraw c) {
            if (!exists) return CommandResponse.rejected("Account does not exist");
            if (balance.subtract(c.amount()).compareTo(FLOOR) < 0) {
                return CommandResponse.rejected("Insufficient funds");
            }
            post(new Withdrawn(c.amount()));
            return CommandResponse.accepted();
        }

        @ValidateCommand
        void explode(Explode c) {
            throw new IllegalStateException("boom");
        }

        @ValidateCommand
        CommandResponse rename(Rename c) {
            if (c.name().equals(name)) return CommandResponse.accepted();
            post(new Renamed(c.name()));
            return CommandResponse.accepted();
        }

        @ReconstituteState
        void on(Opened e) {
            exists = true;
            name = e.name();
        }

        @ReconstituteState
        void on(Deposited e) {
            balance = balance.add(e.amount());
        }

        @ReconstituteState
        void on(Withdrawn e) {
            balance = balance.subtract(e.amount());
        }

        @ReconstituteState
        void on(Renamed e) {
            name = e.name();
        }

        @Override
        public int snapshotFrequency() {
            return frequency;
        }

        @Override
        public State snapshot() {
            return new State(exists, name, balance);
        }

        @Override
        public void applySnapshot(State s) {
            Objects.requireNonNull(s.balance(), "balance"); // a broken snapshot fails here (S5 test)
            exists = s.exists();
            name = s.name();
            balance = s.balance();
        }
    }

    /** A builder with the bank registered on the given stores (in memory when null). */
    static JangleBuilder builder() {
        return Jangle.builder()
                .environment(java.util.Map.of())
                .commands(Cmd.class)
                .events(Evt.class)
                .aggregate(Creator.class, Creator::new)
                .aggregate(Account.class, Account::new);
    }

    /** {@link #builder()} with accounts that snapshot every {@code frequency} versions (0 reads no snapshot). */
    static JangleBuilder builder(int frequency) {
        return Jangle.builder()
                .environment(java.util.Map.of())
                .commands(Cmd.class)
                .events(Evt.class)
                .aggregate(Creator.class, Creator::new)
                .aggregate(Account.class, id -> new Account(id, frequency));
    }
}
