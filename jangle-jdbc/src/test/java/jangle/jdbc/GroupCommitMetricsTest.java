package jangle.jdbc;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jangle.Jangle;
import jangle.Telemetry;
import jangle.observability.JangleObservability;
import jangle.spi.EventStore;
import jangle.spi.StoreContext;
import jangle.test.EventStoreContract.HeldAppend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static jangle.jdbc.TestEvents.noted;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code jangle.append.group.size} summary (docs/observability.md) on both stores: one sample per commit of
 * appends, holding the number of appends that commit made durable. A held append makes the grouping exact (the held
 * one commits alone, the appends queued behind it as one group); free-running writers then check the totals.
 */
class GroupCommitMetricsTest {
    private static final int QUEUED = 10;
    private static final int THREADS = 4;
    private static final int EACH = 25;

    @TempDir
    Path dir;

    @Test
    @Tag("G5")
    @DisplayName("G5: on a SQLite file, the group-size summary counts each commit of appends and sums the appends")
    void sqliteGroups() throws Exception {
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("groups.db")); HoldHook hook = new HoldHook()) {
            SqliteConnections writer = (SqliteConnections) db.connections();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EventStore store = observed(db, hook, registry);

            heldThenQueued(store, hook, writer::waiting);
            DistributionSummary size = registry.get("jangle.append.group.size").summary();
            assertThat(size.count()).as("the held append's commit, then ONE commit for the queued ones").isEqualTo(2);
            assertThat(size.totalAmount()).isEqualTo(QUEUED + 1);
            assertThat(size.max()).isEqualTo(QUEUED);

            freeRunning(store);
            assertThat(size.totalAmount()).as("every append counted once").isEqualTo(QUEUED + 1 + THREADS * EACH);
            assertThat(size.count()).as("commits: at least one more, never more than one per append")
                    .isBetween(3L, 2L + THREADS * EACH);
        }
    }

    @Test
    @Tag("G5")
    @DisplayName("G5: on PostgreSQL, the group-size summary's count equals the commits and its total the appends")
    void postgresGroups() throws Exception {
        PostgresGroupCommitTest.Counter counter = new PostgresGroupCommitTest.Counter();
        try (JdbcDatabase db = PostgresGroupCommitTest.database(counter); HoldHook hook = new HoldHook()) {
            PostgresAppendGroups groups = ((PostgresConnections) db.connections()).appendGroups();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EventStore store = observed(db, hook, registry);
            counter.reset(); // from here on only appends commit

            heldThenQueued(store, hook, groups::waiting);
            DistributionSummary size = registry.get("jangle.append.group.size").summary();
            assertThat(counter.commits.get()).isEqualTo(2);
            assertThat(size.count()).as("one sample per commit").isEqualTo(2);
            assertThat(size.totalAmount()).isEqualTo(QUEUED + 1);
            assertThat(size.max()).isEqualTo(QUEUED);

            freeRunning(store);
            assertThat(size.count()).as("one sample per commit (counted by the driver)")
                    .isEqualTo(counter.commits.get());
            assertThat(size.totalAmount()).as("every append counted once").isEqualTo(QUEUED + 1 + THREADS * EACH);
            System.out.printf("PostgreSQL: %d appends by %d threads in %d commits%n", THREADS * EACH, THREADS,
                    counter.commits.get() - 2);
        }
    }

    @Test
    @Tag("G5")
    @DisplayName("G5: on PostgreSQL without a test hook, each group commits in its one round trip, and the summary "
            + "counts one sample per such round trip and every append once")
    void postgresGroupsInOneTrip() throws Exception {
        PostgresGroupCommitTest.Counter counter = new PostgresGroupCommitTest.Counter();
        try (JdbcDatabase db = PostgresGroupCommitTest.database(counter)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EventStore store = observed(db, AppendListener.NONE, registry);
            counter.reset(); // from here on only appends run statements

            freeRunning(store);
            DistributionSummary size = registry.get("jangle.append.group.size").summary();
            assertThat(counter.commits.get() + counter.rollbacks.get()).as("no separate commit or rollback").isZero();
            assertThat(size.count()).as("one sample per group, each one round trip that commits")
                    .isEqualTo(counter.statements.get());
            assertThat(size.totalAmount()).as("every append counted once").isEqualTo(THREADS * EACH);
            assertThat(store.lastPosition()).isEqualTo(THREADS * EACH);
        }
    }

    @Test
    @Tag("G5")
    @DisplayName("G5: built with telemetry, a Jangle on a SQLite file reports its appends' commits (the builder wires the store)")
    void throughTheBuilder() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("app.db"));
             Jangle jangle = Jangle.builder().environment(Map.of()).stores(db.stores())
                     .commands(TestBank.Cmd.class).events(TestBank.Evt.class)
                     .aggregate(TestBank.Account.class, TestBank.Account::new)
                     .telemetry(JangleObservability.metrics(registry)).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    String id = "acc-" + t;
                    runs.add(pool.submit(() -> {
                        for (int i = 0; i < EACH; i++) {
                            assertThat(jangle.send(new TestBank.Deposit(id, BigDecimal.ONE)).isAccepted()).isTrue();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : runs) f.get(120, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            DistributionSummary size = registry.get("jangle.append.group.size").summary();
            double appends = registry.get("jangle.appends").tag("outcome", "committed").functionTimer().count();
            assertThat(appends).isEqualTo(THREADS * EACH);
            assertThat(size.totalAmount()).as("every committed append in one commit sample").isEqualTo(appends);
            assertThat(size.count()).isBetween(1L, (long) THREADS * EACH);
        }
    }

    private static EventStore observed(JdbcDatabase db, AppendListener hook, SimpleMeterRegistry registry) {
        EventStore store = db.stores(hook).open(new StoreContext(TestEvents.registry(), Clock.systemUTC(), 100))
                .events();
        assertThat(store).isInstanceOf(Telemetry.Observed.class); // how JangleBuilder hands it the telemetry
        ((Telemetry.Observed) store).observe(JangleObservability.metrics(registry));
        return store;
    }

    /** One append held inside its transaction while {@link #QUEUED} others queue behind it, then all commit. */
    private static void heldThenQueued(EventStore store, HoldHook hook, IntSupplier waiting) throws Exception {
        HeldAppend held = hook.hold(store, List.of(noted("held", 1)));
        held.awaitPositionsTaken();
        ExecutorService pool = Executors.newFixedThreadPool(QUEUED);
        try {
            List<Future<?>> queued = new ArrayList<>();
            for (int i = 0; i < QUEUED; i++) {
                String id = "q-" + i;
                queued.add(pool.submit(() -> store.append(List.of(noted(id, 1)))));
            }
            for (int i = 0; i < 60_000 && waiting.getAsInt() < QUEUED; i++) Thread.sleep(1); // bounded; ms here
            assertThat(waiting.getAsInt()).as("appends queued behind the held one").isEqualTo(QUEUED);
            held.commit();
            for (Future<?> f : queued) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@link #THREADS} threads each append {@link #EACH} events to a stream of their own. */
    private static void freeRunning(EventStore store) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String id = "free-" + t;
                runs.add(pool.submit(() -> {
                    for (int v = 1; v <= EACH; v++) store.append(List.of(noted(id, v)));
                    return null;
                }));
            }
            for (Future<?> f : runs) f.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }
}
