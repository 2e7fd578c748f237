package jangle.banking.app;

import jangle.CommandResponse;
import jangle.ReplayResult;
import jangle.SendOptions;
import jangle.banking.AccountListItem;
import jangle.banking.AccountsList;
import jangle.banking.BankStats;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.views.ViewTables;
import jangle.test.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The application's public entry point on a SQLite file and in memory. */
class BankingApplicationTest {
    /** A bound on waits for dispatch or a read model: only a hang reaches it, a busy machine does not. */
    static final Duration WAIT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    BankingConfig sqlite() {
        return BankingConfig.sqlite(dir.resolve("bank.db")).withEnvironment(Map.of());
    }

    static CommandResponse sendAndSettle(BankingApplication app, jangle.Command command) {
        UUID correlation = UUID.randomUUID();
        CommandResponse r = app.jangle().send(command, SendOptions.NONE.withCorrelationId(correlation));
        app.jangle().awaitSettled(correlation, WAIT);
        return r;
    }

    static String create(BankingApplication app, String name, String deposit) {
        CommandResponse r = sendAndSettle(app, new CreateAccount(name, deposit == null ? null : new BigDecimal(deposit), null));
        assertThat(r.isAccepted()).isTrue();
        return r.acceptedData(String.class);
    }

    /** A small history of every money kind, settled. */
    static void someHistory(BankingApplication app) {
        String a = create(app, "HSPBC", null);
        String b = create(app, "Natalie", "100");
        sendAndSettle(app, new DepositFunds(a, new BigDecimal("50.50"), null));
        sendAndSettle(app, new WithdrawFunds(b, new BigDecimal("150"), null));
        sendAndSettle(app, new Transfer(a, b, new BigDecimal("19"), null));
        sendAndSettle(app, new Transfer(a, "999999", new BigDecimal("1"), null));
        sendAndSettle(app, new Request(a, b, new BigDecimal("2.50"), null));
    }

    @Test
    @Tag("T8")
    @DisplayName("T8: one SQLite file holds the events and the read models; reopening the file finds both")
    void oneFile() {
        Path file = dir.resolve("bank.db");
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            assertThat(app.storeHasEvents()).isFalse();
            app.start();
            create(app, "HSPBC", "10");
            assertThat(app.jangle().query(new AccountsList())).extracting(AccountListItem::accountId)
                    .containsExactly("000001");
        }
        assertThat(file).exists();
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            assertThat(app.storeHasEvents()).isTrue();
            assertThat(app.jangle().query(new AccountsList())).extracting(AccountListItem::balance)
                    .containsExactly(new BigDecimal("10.00"));
        }
    }

    @Test
    @Tag("CR4")
    @Tag("D10")
    @Tag("T9")
    @Tag("D19")
    @DisplayName("CR4, D10, D19, T9: before start events wait for the processors; after a restart they catch up: views and mediation complete")
    void resumesPendingWork() {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            String a = app.jangle().send(new CreateAccount("HSPBC", new BigDecimal("50"), null)).acceptedData(String.class);
            String b = app.jangle().send(new CreateAccount("Natalie", null, null)).acceptedData(String.class);
            assertThat(app.jangle().send(new Transfer(a, b, new BigDecimal("20"), null)).isAccepted()).isTrue();
            // the append writes only events (D1): nothing is parked, the processors have not run yet
            assertThat(app.pendingDeliveries()).isZero();
            assertThat(app.jangle().query(new AccountsList())).isEmpty();
        }
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            assertThat(app.jangle().query(new AccountsList())).isEmpty();
            app.start();
            // start registers the processors at the beginning of the feed (D19): they are behind until they catch up
            assertThat(app.jangle().operations().processors()).extracting(jangle.ProcessorStatus::processor)
                    .contains("bank-views", "transfer-mediator");
            awaitNoPending(app);
            assertThat(app.jangle().query(new AccountsList()))
                    .extracting(i -> i.accountId() + " " + i.balance().toPlainString())
                    .containsExactly("000001 30.00", "000002 20.00");
            assertThat(app.pendingDeliveries()).isZero();
        }
    }

    @Test
    @Tag("Q3")
    @Tag("W6")
    @DisplayName("Q3, W6: queries read the read models only: with the event store emptied they answer the same")
    void queriesNeverReadTheEventStore() throws Exception {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            app.start();
            someHistory(app);
            var accounts = app.jangle().query(new AccountsList());
            var stats = app.jangle().query(new BankStats());
            var ledger = app.jangle().query(new jangle.banking.AccountLedger("000001"));
            var summary = app.jangle().query(new jangle.banking.AccountSummary("000002"));
            app.database().inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("DELETE FROM jangle_deliveries");
                    st.executeUpdate("DELETE FROM jangle_snapshots");
                    st.executeUpdate("DELETE FROM jangle_events");
                }
                return null;
            });
            assertThat(app.jangle().stores().events().lastPosition()).isZero();
            assertThat(app.jangle().query(new AccountsList())).isEqualTo(accounts);
            assertThat(app.jangle().query(new BankStats())).isEqualTo(stats);
            assertThat(app.jangle().query(new jangle.banking.AccountLedger("000001"))).isEqualTo(ledger);
            assertThat(app.jangle().query(new jangle.banking.AccountSummary("000002"))).isEqualTo(summary);
            assertThat(accounts).hasSize(2);
        }
    }

    @Test
    @Tag("R4")
    @Tag("W5")
    @DisplayName("R4, W5: a replay that runs while commands are served converges to the same read models")
    void replayWhileServing() throws Exception {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            app.start();
            someHistory(app);
            String a = create(app, "Replayer", "500");
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    sendAndSettle(app, new DepositFunds(a, new BigDecimal("1.25"), null));
                }
            });
            writer.start();
            for (int i = 0; i < 3; i++) app.replay(jangle.ReplayListener.NONE);
            writer.join();
            awaitNoPending(app);
            assertThat(app.verifyReplay(null)).isEmpty();
            assertThat(app.jangle().query(new jangle.banking.AccountSummary(a)).orElseThrow().balance())
                    .isEqualByComparingTo("750.00");
        }
    }

    private static void awaitNoPending(BankingApplication app) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (app.hasPendingDeliveries() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    @Tag("R1")
    @Tag("R3")
    @Tag("R6")
    @DisplayName("R1, R3, R6: replay rebuilds bank-views from the feed in a new generation, identical to the live tables "
            + "before they were damaged, reporting progress")
    void replayRebuilds() {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            app.start();
            someHistory(app);
            Map<String, List<List<Object>>> before = ViewTables.dump(app.database());
            app.database().inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM bank_summary");
                    s.executeUpdate("UPDATE transfers SET state = 9, state_rank = 1");
                }
                return null;
            });
            List<long[]> progress = new ArrayList<>();
            ReplayResult result = app.replay((done, total, rate) -> progress.add(new long[]{done, total}));
            assertThat(result.events()).isEqualTo(app.jangle().stores().events().lastPosition());
            assertThat(progress).isNotEmpty();
            assertThat(progress.getLast()[0]).isEqualTo(result.events());
            assertThat(ViewTables.dump(app.database())).isEqualTo(before);
        }
    }

    @Test
    @Tag("W7")
    @Tag("W9")
    @DisplayName("W7, W9: with live dispatch, money is conserved on the events and on the read models once settled")
    void conservationLive() {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            app.start();
            someHistory(app);
            String c = create(app, "Third one", "30");
            sendAndSettle(app, new jangle.banking.DeleteAccount(c));
            sendAndSettle(app, new Transfer("000001", c, new BigDecimal("5"), null));
            List<jangle.EventRecord<?>> events = app.jangle().stores().events().readFeed(0, 10_000);
            jangle.banking.BankInvariants.Report onEvents = jangle.banking.BankInvariants.of(events);
            assertThat(onEvents.holds()).as(onEvents.describe()).isTrue();
            jangle.banking.app.views.MoneyTotals views = app.queries().moneyTotals();
            assertThat(views.conserved()).isTrue();
            assertThat(views.balances()).isEqualTo(onEvents.totalBalance());
        }
    }

    @Test
    @Tag("W5")
    @DisplayName("cli.md §5.2 replay --verify: a healthy store shows no difference, in order and triple-shuffled (W5); live tables untouched")
    void verifyHealthy() {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            app.start();
            someHistory(app);
            Map<String, List<List<Object>>> before = ViewTables.dump(app.database());
            assertThat(app.verifyReplay(null)).isEmpty();
            assertThat(app.verifyReplay(7L)).isEmpty();
            assertThat(ViewTables.dump(app.database())).isEqualTo(before);
        }
    }

    @Test
    @DisplayName("cli.md §5.2 replay --verify reports each differing row: table, key, live and rebuilt values")
    void verifyReportsDifferences() {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            app.start();
            someHistory(app);
            app.database().inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE bank_summary SET balance_cents = balance_cents + 1 WHERE account_id = '000002'");
                    s.executeUpdate("INSERT INTO deposits (event_id, transaction_id, account_id, amount_cents) "
                            + "VALUES ('forged', 'x', '000001', 100)");
                    s.executeUpdate("UPDATE transfers SET state = 9, state_rank = 1 WHERE funded_account = '999999'");
                }
                return null;
            });
            List<RowDifference> diffs = app.verifyReplay(3L);
            assertThat(diffs).extracting(RowDifference::table, RowDifference::key)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("bank_summary", "000002"),
                            org.assertj.core.groups.Tuple.tuple("transfers",
                                    "000001/" + app.jangle().query(new jangle.banking.AccountLedger("000001")).stream()
                                            .filter(e -> e.transactionType().equals("transfer_debit_rollback"))
                                            .findFirst().orElseThrow().transactionId()),
                            org.assertj.core.groups.Tuple.tuple("deposits", "forged"));
            RowDifference summary = diffs.stream().filter(d -> d.table().equals("bank_summary")).findFirst().orElseThrow();
            assertThat(summary.live()).contains("balance_cents=-3099");
            assertThat(summary.rebuilt()).contains("balance_cents=-3100");
            RowDifference forged = diffs.stream().filter(d -> d.table().equals("deposits")).findFirst().orElseThrow();
            assertThat(forged.rebuilt()).isNull();
            assertThat(forged.live()).contains("transaction_id=x");
        }
    }

    @Test
    @DisplayName("dueSagas counts sagas whose timeout has passed; storeHasEvents tells an empty store")
    void dueSagas() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        BankingConfig config = sqlite().withClock(clock)
                .withEnvironment(Map.of("JANGLE_SAGA_RETRY_INTERVAL", "1h"));
        try (BankingApplication app = BankingApplication.open(config)) {
            app.start();
            String a = create(app, "HSPBC", null);
            String b = create(app, "Natalie", null);
            assertThat(sendAndSettle(app, new Request(a, b, new BigDecimal("5"), null)).isAccepted()).isTrue();
            assertThat(app.dueSagas()).isZero();
            clock.advance(Duration.ofMinutes(31));
            assertThat(app.dueSagas()).isEqualTo(1);
            assertThat(app.storeHasEvents()).isTrue();
        }
    }

    @Test
    @Tag("CR3")
    @DisplayName("memory mode: in-memory stores with private read models; two applications never see each other (CR3)")
    void memoryMode() {
        try (BankingApplication one = BankingApplication.open(BankingConfig.inMemory());
             BankingApplication two = BankingApplication.open(BankingConfig.inMemory())) {
            one.start();
            two.start();
            create(one, "HSPBC", "5");
            assertThat(one.jangle().query(new AccountsList())).hasSize(1);
            assertThat(two.jangle().query(new AccountsList())).isEmpty();
            assertThat(two.storeHasEvents()).isFalse();
            assertThat(one.jangle().query(new BankStats()).netBalance()).isEqualTo(new BigDecimal("5.00"));
            assertThat(one.verifyReplay(11L)).isEmpty();
        }
    }

    @Test
    @Tag("Q4")
    @DisplayName("Q4: the queries read from bank-views, so query(q, token, timeout) waits for the views")
    void readYourWrites() {
        try (BankingApplication app = BankingApplication.open(sqlite())) {
            app.start();
            String a = create(app, "HSPBC", null);
            // a deposit: the token's position is the deposit's own event (see the report on CreateAccount tokens)
            CommandResponse r = app.jangle().send(new DepositFunds(a, new BigDecimal("7"), null));
            List<AccountListItem> list = app.jangle().query(new AccountsList(), r.token(), WAIT);
            assertThat(list).extracting(AccountListItem::balance).containsExactly(new BigDecimal("7.00"));
        }
    }

    @Test
    @DisplayName("close() is idempotent and leaves the file usable")
    void closeTwice() throws Exception {
        BankingApplication app = BankingApplication.open(sqlite());
        app.close();
        app.close();
        assertThat(Files.exists(dir.resolve("bank.db"))).isTrue();
    }
}
