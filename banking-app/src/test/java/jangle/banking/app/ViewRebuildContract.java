package jangle.banking.app;

import jangle.CommandResponse;
import jangle.banking.AccountsList;
import jangle.banking.BankStatistics;
import jangle.banking.BankStats;
import jangle.banking.DepositFunds;
import jangle.banking.Transfer;
import jangle.banking.app.views.BankViews;
import jangle.banking.app.views.MoneyTotals;
import jangle.banking.app.views.RebuildGuard;
import jangle.banking.app.views.ViewGeneration;
import jangle.banking.app.views.ViewRebuild;
import jangle.banking.app.views.ViewTables;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The zero-downtime rebuild of the bank's read models (R6, R7), the same on every database: readers and writers go on
 * through it, a kill -9 at any moment of it leaves the old or the new generation serving, and its leftovers neither
 * break a start nor the next rebuild.
 */
abstract class ViewRebuildContract {
    private static final int ACCOUNTS = 12;

    /** A fresh, empty database; {@code env} is the application's environment. */
    abstract BankingConfig config(Map<String, String> env);

    /** The arguments that make {@link RebuildChild} open the same database as {@code config}. */
    abstract List<String> childArgs(BankingConfig config);

    @Test
    @Tag("R8")
    @DisplayName("R8: while one rebuild runs, a second of the same database (from another application on it) is "
            + "refused, naming the database, and changes nothing; once the first is done, the next one runs")
    void oneRebuildAtATime() throws Exception {
        BankingConfig config = config(Map.of("JANGLE_REPLAY_BATCH_SIZE", "5"));
        try (BankingApplication first = BankingApplication.open(config);
             BankingApplication second = BankingApplication.open(config)) {
            first.start();
            for (int i = 0; i < 4; i++) BankingApplicationTest.create(first, "Guard " + i, "10");
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread running = new Thread(() -> {
                try {
                    first.rebuild((done, total, rate) -> {
                        inside.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "first-rebuild");
            running.start();
            try {
                assertThat(inside.await(60, TimeUnit.SECONDS)).as("the first rebuild is filling").isTrue();
                Map<String, List<List<Object>>> before = ViewTables.dump(second.database());
                assertThatThrownBy(() -> second.rebuild(null))
                        .isInstanceOf(RebuildGuard.RebuildRunningException.class)
                        .hasMessageContaining("another rebuild of the read models is running on "
                                + config.describeStore());
                assertThat(ViewTables.dump(second.database())).as("the refused rebuild changed nothing")
                        .isEqualTo(before);
            } finally {
                release.countDown();
                running.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertThat(failed.get()).as("the first rebuild").isNull();
            assertThat(second.rebuild(null).swappedAt()).as("the next rebuild runs").isPositive();
        }
    }

    @Test
    @Tag("R6")
    @DisplayName("R6: a rebuild while commands flow and a reader queries: the reader never fails nor sees a cleared or "
            + "partial view, the indexes keep their names, and the rebuilt views equal a replay (tripled, shuffled)")
    void rebuildUnderTraffic() throws Exception {
        try (BankingApplication app = BankingApplication.open(config(Map.of("JANGLE_REPLAY_BATCH_SIZE", "20")))) {
            app.start();
            List<String> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) accounts.add(BankingApplicationTest.create(app, "Rebuild " + i, "100"));
            for (int i = 0; i < 150; i++) {
                send(app, new DepositFunds(accounts.get(i % ACCOUNTS), new BigDecimal("1.00"), null));
            }
            Map<String, List<String>> namesBefore = catalog(app.database());

            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicLong reads = new AtomicLong();
            Thread reader = new Thread(() -> {
                long transactions = 0;
                BigDecimal deposited = BigDecimal.ZERO;
                while (!stop.get()) {
                    try {
                        // money only enters by deposits and moves by transfers here: none of these figures may drop
                        BankStatistics stats = app.jangle().query(new BankStats());
                        MoneyTotals totals = app.queries().moneyTotals();
                        int listed = app.jangle().query(new AccountsList()).size();
                        if (stats.activeAccounts() < ACCOUNTS || listed < ACCOUNTS) {
                            problems.add("accounts dropped: " + stats.activeAccounts() + " / " + listed);
                        }
                        if (stats.transactionCount() < transactions) {
                            problems.add("transactions went from " + transactions + " to " + stats.transactionCount());
                        }
                        if (totals.deposits().compareTo(deposited) < 0) {
                            problems.add("deposits went from " + deposited + " to " + totals.deposits());
                        }
                        transactions = Math.max(transactions, stats.transactionCount());
                        deposited = deposited.max(totals.deposits());
                        reads.incrementAndGet();
                    } catch (RuntimeException e) {
                        problems.add("read failed: " + e);
                    }
                }
            }, "rebuild-reader");
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int offset = w;
                writers.add(new Thread(() -> {
                    int i = offset;
                    while (!stop.get()) {
                        try {
                            String a = accounts.get(i % ACCOUNTS);
                            String b = accounts.get((i + 5) % ACCOUNTS);
                            send(app, i % 3 == 0 ? new Transfer(a, b, new BigDecimal("0.10"), null)
                                    : new DepositFunds(a, new BigDecimal("0.25"), null));
                            i += 2;
                        } catch (RuntimeException e) {
                            problems.add("command failed: " + e);
                        }
                    }
                }, "rebuild-writer-" + w));
            }
            reader.start();
            writers.forEach(Thread::start);
            List<ViewRebuild.Result> results = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) results.add(app.rebuild(null));
            } finally {
                stop.set(true);
                for (Thread w : writers) w.join();
                reader.join();
            }
            assertThat(problems).as("%d reads", reads.get()).isEmpty();
            assertThat(reads.get()).isPositive();
            assertThat(results).allSatisfy(r -> assertThat(r.swappedAt()).isPositive());

            long head = app.jangle().stores().events().lastPosition();
            assertThat(app.awaitProcessors(head, BankingApplicationTest.WAIT)).isTrue();
            assertThat(app.verifyReplay(null)).isEmpty();
            assertThat(app.verifyReplay(7L)).isEmpty();
            assertThat(catalog(app.database())).as("index and constraint names after the swaps").isEqualTo(namesBefore);
            assertThat(nextTables(app.database())).isEmpty();
        }
    }

    @Test
    @Tag("R6")
    @DisplayName("R6: a deposit committed while the swap holds its locks: the live batch that waited for them lands "
            + "in the new generation")
    void liveBatchBlockedBySwap() throws Exception {
        try (BankingApplication app = BankingApplication.open(config(Map.of()))) {
            app.start();
            BankingApplicationTest.someHistory(app);
            String account = BankingApplicationTest.create(app, "Blocked", "10");
            for (int i = 0; i < 20; i++) send(app, new DepositFunds(account, new BigDecimal("1"), null));
            Thread[] sender = new Thread[1];
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            ViewRebuild.Result result = app.rebuild(new ViewRebuild.Listener() {
                @Override
                public void progress(long done, long total, double rate) {
                }

                @Override
                public void swapping(long position) {
                    // PostgreSQL: the append commits and the live batch waits for the view tables' lock; SQLite: the
                    // append itself waits for the swap's write transaction
                    sender[0] = new Thread(() -> {
                        try {
                            send(app, new DepositFunds(account, new BigDecimal("5"), null));
                        } catch (RuntimeException | AssertionError e) {
                            problems.add(e.toString());
                        }
                    });
                    sender[0].start();
                    try {
                        Thread.sleep(700);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            sender[0].join();
            assertThat(problems).isEmpty();
            long head = app.jangle().stores().events().lastPosition();
            assertThat(head).as("the deposit came after the swapped-in position").isGreaterThan(result.swappedAt());
            assertThat(app.awaitProcessors(head, BankingApplicationTest.WAIT)).isTrue();
            assertThat(app.jangle().operations().pending(BankViews.NAME, 10)).isEmpty();
            assertThat(app.queries().accountSummary(account).orElseThrow().balance()).isEqualByComparingTo("35.00");
            assertThat(app.verifyReplay(null)).isEmpty();
        }
    }

    @Test
    @Tag("R7")
    @DisplayName("R7: a leftover next generation (a crashed rebuild's) breaks neither the start nor the next rebuild, "
            + "which drops it")
    void leftoverGenerationIsHarmless() {
        BankingConfig config = config(Map.of());
        Map<String, List<List<Object>>> views;
        try (BankingApplication app = BankingApplication.open(config)) {
            app.start();
            BankingApplicationTest.someHistory(app);
            // what a rebuild killed during its fill leaves: the next tables (and on PostgreSQL their indexes), a row
            app.database().executeScript(BankViews.schemaResource(app.dialect()), ViewGeneration.NEXT.identifiers());
            app.database().inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO bank_summary_next (account_id, name) VALUES ('999998', 'Ghost')");
                }
                return null;
            });
            views = ViewTables.dump(app.database());
        }
        try (BankingApplication app = BankingApplication.open(config)) {
            app.start();
            assertThat(nextTables(app.database())).hasSize(BankViews.VIEW_TABLES.size());
            assertThat(ViewTables.dump(app.database())).isEqualTo(views);
            assertThat(app.jangle().query(new AccountsList())).extracting(a -> a.accountId())
                    .doesNotContain("999998");
            app.replay(null);
            assertThat(nextTables(app.database())).isEmpty();
            assertThat(app.verifyReplay(7L)).isEmpty();
            assertThat(ViewTables.dump(app.database())).isEqualTo(views);
        }
    }

    @Test
    @Tag("R7")
    @DisplayName("R7: kill -9 of a rebuilding process during its fill and inside its swap transaction: the old views "
            + "serve on, the next replay succeeds and replay --verify --shuffle 7 is clean")
    void killDuringRebuild() throws Exception {
        BankingConfig config = config(Map.of());
        Map<String, List<List<Object>>> views;
        try (BankingApplication app = BankingApplication.open(config)) {
            app.start();
            BankingApplicationTest.someHistory(app);
            List<String> accounts = new ArrayList<>();
            for (int i = 0; i < 6; i++) accounts.add(BankingApplicationTest.create(app, "Killed " + i, "10"));
            for (int i = 0; i < 60; i++) send(app, new DepositFunds(accounts.get(i % 6), new BigDecimal("2"), null));
            long head = app.jangle().stores().events().lastPosition();
            assertThat(app.awaitProcessors(head, BankingApplicationTest.WAIT)).isTrue();
            views = ViewTables.dump(app.database());
        }
        for (String killAt : List.of(RebuildChild.BATCH + " 3", RebuildChild.SWAPPING)) {
            Process child = RebuildChild.start(childArgs(config));
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                List<String> seen = new ArrayList<>();
                while ((line = out.readLine()) != null && !line.startsWith(killAt)) seen.add(line);
                assertThat(line).as("the child reached '%s'; it printed %s", killAt, seen).isNotNull();
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            try (BankingApplication app = BankingApplication.open(config)) {
                assertThat(ViewTables.dump(app.database())).as("after a kill at '%s'", killAt).isEqualTo(views);
                assertThat(nextTables(app.database())).as("the killed rebuild's generation")
                        .hasSize(BankViews.VIEW_TABLES.size());
            }
        }
        try (BankingApplication app = BankingApplication.open(config)) {
            app.start();
            ViewRebuild.Result result = app.rebuild(null);
            assertThat(result.swappedAt()).isEqualTo(app.jangle().stores().events().lastPosition());
            assertThat(nextTables(app.database())).isEmpty();
            assertThat(app.verifyReplay(7L)).isEmpty();
            assertThat(ViewTables.dump(app.database())).isEqualTo(views);
        }
    }

    private static void send(BankingApplication app, jangle.Command command) {
        CommandResponse r = app.jangle().send(command);
        assertThat(r.isAccepted()).as("%s: %s", command, r).isTrue();
    }

    /** The tables of the next generation that exist. */
    static List<String> nextTables(JdbcDatabase db) {
        String sql = db.dialect() == SqlDialect.POSTGRESQL
                ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '%\\_next'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_next' ESCAPE '\\'";
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    /** Per view table: the names of its indexes and constraints, sorted. */
    static Map<String, List<String>> catalog(JdbcDatabase db) {
        return db.read(c -> {
            Map<String, List<String>> out = new java.util.TreeMap<>();
            for (String table : BankViews.VIEW_TABLES) out.put(table, names(c, db.dialect(), table));
            return out;
        });
    }

    private static List<String> names(java.sql.Connection c, SqlDialect dialect, String table) throws SQLException {
        String sql = dialect == SqlDialect.POSTGRESQL
                ? "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? UNION "
                + "SELECT conname FROM pg_constraint WHERE conrelid = CAST(? AS regclass)"
                : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND ? IS NOT NULL";
        TreeSet<String> names = new TreeSet<>();
        try (var ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) names.add(rs.getString(1));
            }
        }
        return List.copyOf(names);
    }
}
