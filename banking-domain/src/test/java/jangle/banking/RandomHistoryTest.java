package jangle.banking;

import jangle.Command;
import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.StoreException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long, seeded, random history through the whole domain (W7, W8, SG5, SG6, B25, B27, B29–B31): thousands of user
 * commands of every kind, including transfers to missing and deleted accounts (and to ids opened later), requests
 * from and to deleted accounts, accepted, rejected and expired requests, repeated commands and one transaction id
 * used by two accounts towards a third. Dispatch runs only now and then, so many operations are in flight at once
 * and accounts get deleted between a debit and its credit; the clock moves on, sometimes past the request timeout;
 * once in a while a store append fails (W2). Once everything has settled, money is conserved to the cent, nothing is
 * in flight, every event's balance matches the rebuilt one, and no saga is left unfinished.
 */
class RandomHistoryTest {
    private static final int COMMANDS = 5000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {20260301L, 7L, 424242L})
    @Tag("W7")
    @Tag("W8")
    @DisplayName("W7, W8: after a random history has settled, money is conserved and no saga is stuck")
    void randomHistory(long seed) {
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(b -> b.stores(stores))) {
            new History(bank, stores, new Random(seed)).run(COMMANDS);

            bank.settle();
            bank.sagaPassAfter(Duration.ofMinutes(31)); // anything still waiting for a holder times out
            bank.sagaPassAfter(Duration.ofMinutes(1));

            BankInvariants.Report report = bank.invariants();
            String context = "seed " + seed + ": " + report.describe();
            assertThat(report.problems()).as(context).isEmpty();
            assertThat(report.inFlight()).as(context).isEmpty();
            assertThat(report.conserved()).as(context).isTrue();
            assertThat(bank.unfinishedSagas()).as(context).isEmpty();
            assertThat(bank.jangle.operations().pending(null, 10)).as(context).isEmpty();
            assertThat(bank.jangle.operations().deadLetters(null, 10)).as(context).isEmpty();

            // the history did exercise every event type, and sagas ended in each way
            Set<String> types = new TreeSet<>();
            for (EventRecord<?> r : bank.feed()) types.add(r.type());
            Set<String> all = new TreeSet<>();
            for (Class<?> c : BankEvent.class.getPermittedSubclasses()) all.add(c.getSimpleName());
            assertThat(types).as(context).isEqualTo(all);
            var sagas = bank.jangle.operations().sagas(true, 100_000);
            assertThat(sagas).as(context).anyMatch(s -> s.timedOut()).anyMatch(s -> s.complete());
        }
    }

    /** The random driver. */
    private static final class History {
        private final Bank bank;
        private final TestStores stores;
        private final Random random;
        private final List<String> accounts = new ArrayList<>();
        private final List<String[]> requests = new ArrayList<>(); // {funding, tx, requester}
        private final List<Command> sent = new ArrayList<>();

        History(Bank bank, TestStores stores, Random random) {
            this.bank = bank;
            this.stores = stores;
            this.random = random;
        }

        void run(int commands) {
            for (int i = 0; i < commands; i++) {
                if (random.nextInt(60) == 0) stores.failNextAppend(list -> true); // W2: a store fault somewhere
                step();
                if (random.nextInt(3) == 0) bank.settle();
                if (random.nextInt(25) == 0) bank.jangle.operations().runSagaDaemonPass();
                bank.clock.advance(Duration.ofSeconds(random.nextInt(90)));
                if (random.nextInt(80) == 0) bank.clock.advance(Duration.ofMinutes(20 + random.nextInt(20)));
            }
            stores.failNextAppend(null);
        }

        private void step() {
            if (accounts.size() < 3 || random.nextInt(100) < 5) {
                BigDecimal initial = random.nextBoolean() ? null : amount();
                CommandResponse r = send(new CreateAccount("Holder " + (1000 + accounts.size()), initial, null));
                if (r != null && r.isAccepted()) accounts.add(r.acceptedData(String.class));
                return;
            }
            String a = pick();
            int dice = random.nextInt(100);
            if (dice < 14) {
                send(new DepositFunds(a, amount()));
            } else if (dice < 25) {
                send(new WithdrawFunds(a, amount()));
            } else if (dice < 42) {
                send(new Transfer(a, target(a), amount()));
            } else if (dice < 56) {
                Request r = new Request(a, other(a), amount());
                CommandResponse response = send(r);
                if (response != null && response.isAccepted()) requests.add(new String[]{r.fundingAccountId(),
                        r.transactionId(), r.fundedAccountId()});
            } else if (dice < 68) {
                String[] r = pickRequest();
                if (r == null) return;
                if (random.nextInt(10) == 0) send(new DeleteAccount(r[2])); // B25: the credit will be refused
                send(new AcceptRequest(r[0], r[1]));
            } else if (dice < 74) {
                String[] r = pickRequest();
                if (r != null) send(new RejectRequest(r[0], r[1]));
            } else if (dice < 81) {
                send(new ForgiveDebt(a));
            } else if (dice < 84) {
                send(new DeleteAccount(a));
            } else if (dice < 88) {
                send(new ChangeAccountName(a, "Renamed " + random.nextInt(10_000)));
            } else if (dice < 96) {
                if (!sent.isEmpty()) send(sent.get(random.nextInt(sent.size()))); // an idempotent repeat
            } else {
                // B30: two accounts pick the same transaction id towards one third account
                String tx = "shared-" + random.nextInt(1_000_000);
                String b = other(a);
                String c = other(b);
                if (a.equals(c) || b.equals(c)) return;
                if (random.nextBoolean()) {
                    send(new Transfer(a, c, amount(), tx));
                    send(new Transfer(b, c, amount(), tx));
                } else {
                    send(new Request(a, c, amount(), tx));
                    send(new Request(b, c, amount(), tx));
                    requests.add(new String[]{c, tx, a});
                }
            }
        }

        /** Sends; a command that hit the injected store fault returns null (nothing was committed). */
        private CommandResponse send(Command c) {
            try {
                CommandResponse r = bank.send(c);
                if (random.nextInt(5) == 0) sent.add(c);
                return r;
            } catch (StoreException injected) {
                return null;
            }
        }

        private String pick() {
            return accounts.get(random.nextInt(accounts.size()));
        }

        private String other(String not) {
            for (int i = 0; i < 20; i++) {
                String o = pick();
                if (!o.equals(not)) return o;
            }
            return not.equals(accounts.get(0)) ? accounts.get(1) : accounts.get(0);
        }

        /** Mostly an existing other account; sometimes an id that does not exist yet (it may be opened later). */
        private String target(String from) {
            if (random.nextInt(10) == 0) {
                String missing = AccountCreationAggregate.accountIdOf(accounts.size() + 1 + random.nextInt(3));
                if (!missing.equals(from)) return missing;
            }
            return other(from);
        }

        private String[] pickRequest() {
            if (requests.isEmpty()) return null;
            // mostly recent requests, so many are decided before they expire
            int n = requests.size();
            return requests.get(random.nextInt(4) == 0 ? random.nextInt(n) : n - 1 - random.nextInt(Math.min(n, 8)));
        }

        /** 0.01 to 400.00, sometimes large enough to hit the floor. */
        private BigDecimal amount() {
            long cents = random.nextInt(10) == 0 ? 1 + random.nextInt(200_000) : 1 + random.nextInt(40_000);
            return BigDecimal.valueOf(cents, 2);
        }
    }
}
