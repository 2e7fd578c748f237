package jangle.jdbc;

import jangle.test.EmbeddedPg;
import jangle.DuplicateEventIdException;
import jangle.EventRecord;
import jangle.LeaseLostException;
import jangle.VersionConflictException;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.StoreContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static jangle.jdbc.TestEvents.noted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * G5: on PostgreSQL, appends queued behind a running one commit together under one advisory lock; a conflicting or
 * faulty member fails alone; the feed stays gapless and never shows a later position first (G1). The database is
 * reached through a data source that counts what the store sends (statements executed, commits, rollbacks), which
 * is also how the round trips per append in docs/benchmarks.md were measured.
 */
class PostgresGroupCommitTest {
    private static final int QUEUED = 10;

    /** Counts round trips: each statement execution and each commit or rollback is one. */
    static final class Counter {
        final AtomicInteger statements = new AtomicInteger();
        final AtomicInteger commits = new AtomicInteger();
        final AtomicInteger rollbacks = new AtomicInteger();

        int roundTrips() {
            return statements.get() + commits.get() + rollbacks.get();
        }

        void reset() {
            statements.set(0);
            commits.set(0);
            rollbacks.set(0);
        }

        DataSource wrap(DataSource real) {
            return proxy(DataSource.class, real, (target, m, args) -> {
                Object r = m.invoke(target, args);
                return r instanceof Connection c ? connection(c) : r;
            });
        }

        private Connection connection(Connection real) {
            return proxy(Connection.class, real, (target, m, args) -> {
                switch (m.getName()) {
                    case "commit" -> {
                        if (inTransaction(target)) commits.incrementAndGet(); // else the driver sends nothing
                    }
                    case "rollback" -> rollbacks.incrementAndGet();
                    default -> { }
                }
                Object r = m.invoke(target, args);
                if (r instanceof PreparedStatement ps) return statement(PreparedStatement.class, ps);
                if (r instanceof Statement s) return statement(Statement.class, s);
                return r;
            });
        }

        /** Whether the driver has a transaction open, so that its commit is a round trip (a COMMIT sent). */
        private static boolean inTransaction(Object connection) throws SQLException {
            return ((Connection) connection).unwrap(org.postgresql.core.BaseConnection.class).getTransactionState()
                    != org.postgresql.core.TransactionState.IDLE;
        }

        private <S extends Statement> S statement(Class<S> type, S real) {
            return proxy(type, real, (target, m, args) -> {
                if (m.getName().startsWith("execute")) statements.incrementAndGet();
                return m.invoke(target, args);
            });
        }
    }

    private interface Call {
        Object call(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T real, Call call) {
        InvocationHandler h = (p, m, args) -> {
            try {
                return call.call(real, m, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(PostgresGroupCommitTest.class.getClassLoader(), new Class<?>[]{type}, h);
    }

    static JdbcDatabase database(Counter counter) {
        return database(counter, freshName());
    }

    /** A name for a database of its own. */
    private static String freshName() {
        return "g_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static JdbcDatabase database(Counter counter, String name) {
        try (Connection c = EmbeddedPg.server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return JdbcDatabase.postgres(counter.wrap(EmbeddedPg.server().getDatabase("postgres", name)));
    }

    /** An append hook that holds the append of aggregate "held" until released (as the G4 test does). */
    private static final class Hold implements AppendListener {
        final CountDownLatch taken = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void positionsTaken(List<EventRecord<?>> records) {
            if (!records.get(0).aggregateId().equals("held")) return;
            taken.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static EventStore open(JdbcDatabase db, AppendListener hook) {
        return db.stores(hook).open(new StoreContext(TestEvents.registry(), Clock.systemUTC(), 100)).events();
    }

    /** The store's checkpoints, with processor "p" registered in one segment that {@code node} holds. */
    private static Checkpoints oneSegmentHeldBy(EventStore store, String node) {
        Checkpoints cps = store.checkpoints();
        cps.register("p", 1, Checkpoints.Start.BEGINNING);
        cps.claim("p", node, java.time.Instant.now(), java.time.Duration.ofMinutes(5), 1);
        return cps;
    }

    /**
     * Round trips per append of {@code n} appends made by {@code append} to {@code store}, counted from now; each
     * append's events must be committed when it returns (read back through another pooled connection).
     */
    private static double roundTripsPerAppend(Counter counter, EventStore store, int n,
                                              java.util.function.IntConsumer append) {
        long before = store.lastPosition();
        counter.reset();
        int events = 0;
        for (int i = 0; i < n; i++) {
            append.accept(i);
            int trips = counter.roundTrips();
            events = Math.toIntExact(store.lastPosition() - before);
            counter.statements.addAndGet(-1); // the read-back is not the append's
            assertThat(counter.roundTrips()).isEqualTo(trips);
        }
        assertThat(events).as("every append committed").isGreaterThanOrEqualTo(n);
        assertThat(counter.rollbacks.get()).isZero();
        return counter.roundTrips() / (double) n;
    }

    /**
     * Holds the feed's advisory lock in a transaction of its own connection, as another node's append does between its
     * lock and its commit; appends of the store under test then wait in the server (the group's leader) or in the
     * group's queue (the rest), with no test hook in the store.
     */
    private static final class ForeignLock implements AutoCloseable {
        private final Connection c;

        ForeignLock(String database, String lockSql) throws SQLException {
            c = EmbeddedPg.server().getDatabase("postgres", database).getConnection();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(lockSql);
            }
        }

        /** Waits (bounded) until some session waits for the lock in the server. */
        void awaitWaiter() throws Exception {
            for (int i = 0; i < 60_000; i++) {
                try (Statement s = c.createStatement();
                     java.sql.ResultSet rs = s.executeQuery(
                             "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
                    rs.next();
                    if (rs.getInt(1) > 0) return;
                }
                Thread.sleep(1); // bounded; reached in ms
            }
            throw new AssertionError("no append waited for the feed's lock");
        }

        @Override
        public void close() throws SQLException {
            if (c.isClosed()) return;
            c.commit();
            c.close();
        }
    }

    /** Queues {@link #QUEUED} one-event appends; the fifth reuses {@code warm}'s event id (a duplicate, ST3). */
    private static List<Future<?>> queueWithDuplicate(ExecutorService pool, EventStore store, NewEvent warm,
                                                      Map<Integer, Object> outcomes) {
        List<Future<?>> queued = new ArrayList<>();
        for (int i = 0; i < QUEUED; i++) {
            int n = i;
            NewEvent fresh = noted("f-" + i, 1);
            NewEvent e = i == 4 ? new NewEvent(warm.eventId(), fresh.aggregateId(), 1, fresh.type(),
                    fresh.schemaVersion(), fresh.createdAt(), fresh.metadata(), fresh.event()) : fresh;
            queued.add(pool.submit(() -> {
                try {
                    outcomes.put(n, store.append(List.of(e)).lastPosition());
                } catch (DuplicateEventIdException dup) {
                    outcomes.put(n, dup);
                }
            }));
        }
        return queued;
    }

    /** Only the duplicate failed, and the feed after the warm-up, the first append and the group is gapless. */
    private static void assertOnlyDuplicateFailed(EventStore store, Map<Integer, Object> outcomes) {
        assertThat(outcomes.get(4)).isInstanceOf(DuplicateEventIdException.class);
        for (int i = 0; i < QUEUED; i++) if (i != 4) assertThat(outcomes.get(i)).isInstanceOf(Long.class);
        List<Long> positions = store.readFeed(0, 100).stream().map(EventRecord::position).toList();
        assertThat(positions).as("gapless: the failed member took no number")
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        assertThat(store.lastVersion("f-4")).isZero();
    }

    private static void awaitQueued(JdbcDatabase db, int n) throws InterruptedException {
        PostgresAppendGroups groups = ((PostgresConnections) db.connections()).appendGroups();
        for (int i = 0; i < 60_000 && groups.waiting() < n; i++) Thread.sleep(1); // bounded; reached in ms
        assertThat(groups.waiting()).as("appends queued behind the held one").isEqualTo(n);
    }

    @Test
    @Tag("G1")
    @Tag("ST4")
    @Tag("G5")
    @DisplayName("G5 G1 ST4: appends queued behind a held one commit as one group; the losing member of a version race fails alone")
    void queuedAppendsCommitTogether() throws Exception {
        Counter counter = new Counter();
        Hold hold = new Hold();
        try (JdbcDatabase db = database(counter)) {
            EventStore store = open(db, hold);
            store.append(List.of(noted("warm", 1)));
            ExecutorService pool = Executors.newFixedThreadPool(QUEUED + 1);
            try {
                Future<?> held = pool.submit(() -> store.append(List.of(noted("held", 1))));
                assertThat(hold.taken.await(30, TimeUnit.SECONDS)).isTrue();
                counter.reset();
                Map<String, Object> outcomes = new ConcurrentHashMap<>();
                List<Future<?>> queued = new ArrayList<>();
                for (int i = 0; i < QUEUED; i++) {
                    // two of them race for version 1 of "race"; the rest append to aggregates of their own
                    String id = i < 2 ? "race" : "g-" + i;
                    String key = "a" + i;
                    NewEvent e = noted(id, 1);
                    queued.add(pool.submit(() -> {
                        try {
                            outcomes.put(key, store.append(List.of(e)).lastPosition());
                        } catch (VersionConflictException conflict) {
                            outcomes.put(key, conflict);
                        }
                    }));
                }
                awaitQueued(db, QUEUED);
                assertThat(store.readFeed(0, 100)).as("nothing after the held append is visible (G1)").hasSize(1);
                int statementsBefore = counter.statements.get();
                hold.release.countDown();
                held.get(30, TimeUnit.SECONDS);
                for (Future<?> f : queued) f.get(30, TimeUnit.SECONDS);
                int groupStatements = counter.statements.get() - statementsBefore;

                List<Object> raced = List.of(outcomes.get("a0"), outcomes.get("a1"));
                assertThat(raced).filteredOn(o -> o instanceof VersionConflictException).hasSize(1);
                assertThat(raced).filteredOn(o -> o instanceof Long).hasSize(1);
                for (int i = 2; i < QUEUED; i++) assertThat(outcomes.get("a" + i)).isInstanceOf(Long.class);
                assertThat(counter.commits.get()).as("the held append's commit and ONE for the queued group")
                        .isEqualTo(2);
                List<Long> positions = store.readFeed(0, 100).stream().map(EventRecord::position).toList();
                assertThat(positions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
                assertThat(store.readFeed(1, 1).get(0).aggregateId()).isEqualTo("held");
                // the lock and the ten one-event appends go in one round trip, then the commit (was: 1 + 10 + 1)
                assertThat(groupStatements).as("statement round trips of the queued group").isEqualTo(1);
                System.out.printf("group of %d appends (one conflicting): %d round trips after the held append's"
                        + " commit, %d commits%n", QUEUED, counter.roundTrips(), counter.commits.get());
            } finally {
                hold.release.countDown();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Tag("ST3")
    @Tag("G5")
    @DisplayName("G5 ST3: a member whose insert fails (duplicate event id) fails alone; the rest of its group commits")
    void faultyMemberFailsAlone() throws Exception {
        Hold hold = new Hold();
        try (JdbcDatabase db = database(new Counter())) {
            EventStore store = open(db, hold);
            NewEvent warm = noted("warm", 1);
            store.append(List.of(warm));
            ExecutorService pool = Executors.newFixedThreadPool(QUEUED + 1);
            try {
                Future<?> held = pool.submit(() -> store.append(List.of(noted("held", 1))));
                assertThat(hold.taken.await(30, TimeUnit.SECONDS)).isTrue();
                Map<Integer, Object> outcomes = new ConcurrentHashMap<>();
                List<Future<?>> queued = queueWithDuplicate(pool, store, warm, outcomes);
                awaitQueued(db, QUEUED);
                hold.release.countDown();
                held.get(30, TimeUnit.SECONDS);
                for (Future<?> f : queued) f.get(30, TimeUnit.SECONDS);
                assertOnlyDuplicateFailed(store, outcomes);
            } finally {
                hold.release.countDown();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Tag("G5")
    @Tag("H10")
    @DisplayName("G5 H10: several events of one aggregate cost the same one round trip as one event: lock and one statement per event in one text that also commits")
    void roundTripsOfOneAggregatesEvents() {
        Counter counter = new Counter();
        try (JdbcDatabase db = database(counter)) {
            EventStore store = open(db, AppendListener.NONE);
            store.append(List.of(noted("warm", 1)));
            double perAppend = roundTripsPerAppend(counter, store, 20, i -> {
                List<EventRecord<?>> r = store.append(List.of(noted("run-" + i, 1), noted("run-" + i, 2),
                        noted("run-" + i, 3))).records();
                assertThat(r).extracting(EventRecord::version).containsExactly(1L, 2L, 3L);
                assertThat(r.get(2).position()).isEqualTo(r.get(0).position() + 2);
            });
            System.out.printf("three events of one aggregate: %.1f round trips per append%n", perAppend);
            assertThat(perAppend).as("lock, three statements and the commit in one round trip").isEqualTo(1.0);
            assertThat(store.lastVersion("run-7")).isEqualTo(3);
        }
    }

    @Test
    @Tag("H10")
    @Tag("ST4")
    @Tag("G5")
    @DisplayName("H10 ST4 G5: a run whose first event is refused writes none of its events in a group that commits, even when a later one's version would fit")
    void refusedRunWritesNothing() throws Exception {
        Counter counter = new Counter();
        Hold hold = new Hold();
        try (JdbcDatabase db = database(counter)) {
            EventStore store = open(db, hold);
            store.append(List.of(noted("x", 1))); // another writer took version 1
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<?> held = pool.submit(() -> store.append(List.of(noted("held", 1))));
                assertThat(hold.taken.await(30, TimeUnit.SECONDS)).isTrue();
                NewEvent second = noted("x", 2); // would fit after that version 1, but follows our own refused one
                Future<?> run = pool.submit(() -> store.append(List.of(noted("x", 1), second)));
                awaitQueued(db, 1);
                Future<?> other = pool.submit(() -> store.append(List.of(noted("other", 1))));
                awaitQueued(db, 2);
                hold.release.countDown();
                held.get(30, TimeUnit.SECONDS);
                assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(VersionConflictException.class);
                other.get(30, TimeUnit.SECONDS);
                assertThat(store.lastVersion("other")).as("the group committed").isEqualTo(1);
                assertThat(store.lastVersion("x")).isEqualTo(1);
                assertThat(store.readEvent(second.eventId())).isEmpty();
                // the run that does fit is written whole
                assertThat(store.append(List.of(noted("x", 2), noted("x", 3))).records()).hasSize(2);
                assertThat(store.lastVersion("x")).isEqualTo(3);
            } finally {
                hold.release.countDown();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Tag("G5")
    @DisplayName("G5: one append alone costs one round trip: the lock, the one-statement append and the commit")
    void roundTripsOfOneAppend() {
        Counter counter = new Counter();
        try (JdbcDatabase db = database(counter)) {
            EventStore store = open(db, AppendListener.NONE);
            store.append(List.of(noted("warm", 1)));
            int n = 20;
            double perAppend = roundTripsPerAppend(counter, store, n,
                    i -> store.append(List.of(noted("one-" + i, 1))));
            System.out.printf("one append alone: %.1f round trips%n", perAppend);
            assertThat(perAppend).as("lock, statement and commit in one round trip").isEqualTo(1.0);
        }
    }

    @Test
    @Tag("D15")
    @Tag("D21")
    @Tag("G5")
    @DisplayName("G5 D21: a member refused for a lost lease leaves the group's transaction intact: one commit, no "
            + "rollback, no member run again")
    void leaseLostMemberDoesNotAbortTheGroup() throws Exception {
        Counter counter = new Counter();
        Hold hold = new Hold();
        try (JdbcDatabase db = database(counter)) {
            EventStore store = open(db, hold);
            Checkpoints cps = oneSegmentHeldBy(store, "n2");
            store.append(List.of(noted("warm", 1)));
            ExecutorService pool = Executors.newFixedThreadPool(QUEUED + 1);
            try {
                Future<?> held = pool.submit(() -> store.append(List.of(noted("held", 1))));
                assertThat(hold.taken.await(30, TimeUnit.SECONDS)).isTrue();
                counter.reset();
                Map<Integer, Object> outcomes = new ConcurrentHashMap<>();
                List<Future<?>> queued = new ArrayList<>();
                for (int i = 0; i < QUEUED; i++) {
                    int n = i;
                    // members 3 and 6 complete for n1, which does not hold the segment
                    Completion c = n == 3 || n == 6 ? new Completion.Advance("p", 0, 1, "n1")
                            : n == 5 ? new Completion.Advance("p", 0, 1, "n2") : null;
                    List<NewEvent> events = n == 6 ? List.of(noted("q-" + n, 1), noted("q-" + n, 2))
                            : List.of(noted("q-" + n, 1));
                    queued.add(pool.submit(() -> {
                        try {
                            outcomes.put(n, store.append(events, c).lastPosition());
                        } catch (LeaseLostException lost) {
                            outcomes.put(n, lost);
                        }
                    }));
                }
                awaitQueued(db, QUEUED);
                hold.release.countDown();
                held.get(30, TimeUnit.SECONDS);
                for (Future<?> f : queued) f.get(30, TimeUnit.SECONDS);
                assertThat(outcomes.get(3)).isInstanceOf(LeaseLostException.class);
                assertThat(outcomes.get(6)).isInstanceOf(LeaseLostException.class);
                for (int i = 0; i < QUEUED; i++) {
                    if (i != 3 && i != 6) assertThat(outcomes.get(i)).isInstanceOf(Long.class);
                }
                assertThat(counter.commits.get()).as("the held append's commit and ONE for the group").isEqualTo(2);
                assertThat(counter.rollbacks.get()).as("no group abort").isZero();
                assertThat(store.readFeed(0, 100)).hasSize(2 + QUEUED - 2);
                assertThat(cps.all().get(0).position()).isEqualTo(1);
                System.out.printf("group of %d appends (two refused for a lost lease): %d round trips after the held"
                        + " append's commit, %d commits%n", QUEUED, counter.roundTrips(), counter.commits.get());
            } finally {
                hold.release.countDown();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Tag("D15")
    @Tag("G5")
    @DisplayName("G5 D15: one append with an Advance alone costs the same one round trip: the lock, the "
            + "one-statement append with its fenced checkpoint update, and the commit")
    void roundTripsOfOneAppendWithAdvance() {
        Counter counter = new Counter();
        try (JdbcDatabase db = database(counter)) {
            EventStore store = open(db, AppendListener.NONE);
            Checkpoints cps = oneSegmentHeldBy(store, "n1");
            store.append(List.of(noted("warm", 1)));
            int n = 20;
            double perAppend = roundTripsPerAppend(counter, store, n,
                    i -> store.append(List.of(noted("one-" + i, 1)), new Completion.Advance("p", 0, i + 2, "n1")));
            System.out.printf("one append with an Advance alone: %.1f round trips%n", perAppend);
            assertThat(perAppend).as("lock, statement and commit in one round trip").isEqualTo(1.0);
            assertThat(cps.all().get(0).position()).isEqualTo(n + 1);
        }
    }

    @Test
    @Tag("G5")
    @Tag("G1")
    @Tag("ST4")
    @Tag("D21")
    @DisplayName("G5 G1 ST4 D21: appends queued behind another node's lock commit as one group in ONE round trip; a "
            + "version race's loser and a lost lease fail alone")
    void queuedGroupCommitsInOneRoundTrip() throws Exception {
        Counter counter = new Counter();
        String name = freshName();
        try (JdbcDatabase db = database(counter, name)) {
            EventStore store = open(db, AppendListener.NONE);
            Checkpoints cps = oneSegmentHeldBy(store, "n2");
            store.append(List.of(noted("warm", 1)));
            ExecutorService pool = Executors.newFixedThreadPool(QUEUED + 1);
            ForeignLock foreign = new ForeignLock(name, ((JdbcEventStore) store).lockSql());
            try {
                Future<?> first = pool.submit(() -> store.append(List.of(noted("first", 1))));
                foreign.awaitWaiter(); // the group's leader waits in the server
                Map<Integer, Object> outcomes = new ConcurrentHashMap<>();
                List<Future<?>> queued = new ArrayList<>();
                for (int i = 0; i < QUEUED; i++) {
                    int n = i;
                    String id = i < 2 ? "race" : "q-" + i; // 0 and 1 race for version 1 of "race"
                    Completion c = n == 3 ? new Completion.Advance("p", 0, 1, "n1") // n1 holds no lease
                            : n == 5 ? new Completion.Advance("p", 0, 1, "n2") : null;
                    List<NewEvent> events = n == 6 ? List.of(noted(id, 1), noted(id, 2)) : List.of(noted(id, 1));
                    queued.add(pool.submit(() -> {
                        try {
                            outcomes.put(n, store.append(events, c).lastPosition());
                        } catch (VersionConflictException | LeaseLostException refused) {
                            outcomes.put(n, refused);
                        }
                    }));
                }
                awaitQueued(db, QUEUED);
                assertThat(store.readFeed(0, 100)).as("nothing is visible before the lock is free").hasSize(1);
                counter.reset();
                foreign.close();
                first.get(30, TimeUnit.SECONDS);
                for (Future<?> f : queued) f.get(30, TimeUnit.SECONDS);
                int trips = counter.roundTrips();

                List<Object> raced = List.of(outcomes.get(0), outcomes.get(1));
                assertThat(raced).filteredOn(o -> o instanceof VersionConflictException).hasSize(1);
                assertThat(raced).filteredOn(o -> o instanceof Long).hasSize(1);
                assertThat(outcomes.get(3)).isInstanceOf(LeaseLostException.class);
                for (int i = 2; i < QUEUED; i++) if (i != 3) assertThat(outcomes.get(i)).isInstanceOf(Long.class);
                assertThat(trips).as("the queued group: lock, ten appends and the commit in one round trip")
                        .isEqualTo(1);
                assertThat(counter.commits.get() + counter.rollbacks.get()).as("no separate commit or rollback")
                        .isZero();
                List<Long> positions = store.readFeed(0, 100).stream().map(EventRecord::position).toList();
                assertThat(positions).as("gapless: refused members took no number")
                        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
                assertThat(store.lastVersion("q-6")).isEqualTo(2);
                assertThat(store.lastVersion("q-3")).isZero();
                assertThat(cps.all().get(0).position()).as("n2's fenced advance committed with its append").isEqualTo(1);
            } finally {
                foreign.close();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Tag("ST3")
    @Tag("G5")
    @DisplayName("G5 ST3: in a group sent in one round trip, a duplicate event id rolls the whole text back; each other "
            + "member then commits alone, and only the faulty one fails")
    void faultyMemberOfOneTripGroupFailsAlone() throws Exception {
        Counter counter = new Counter();
        String name = freshName();
        try (JdbcDatabase db = database(counter, name)) {
            EventStore store = open(db, AppendListener.NONE);
            NewEvent warm = noted("warm", 1);
            store.append(List.of(warm));
            ExecutorService pool = Executors.newFixedThreadPool(QUEUED + 1);
            ForeignLock foreign = new ForeignLock(name, ((JdbcEventStore) store).lockSql());
            try {
                Future<?> first = pool.submit(() -> store.append(List.of(noted("first", 1))));
                foreign.awaitWaiter();
                Map<Integer, Object> outcomes = new ConcurrentHashMap<>();
                List<Future<?>> queued = queueWithDuplicate(pool, store, warm, outcomes);
                awaitQueued(db, QUEUED);
                counter.reset();
                foreign.close();
                first.get(30, TimeUnit.SECONDS);
                for (Future<?> f : queued) f.get(30, TimeUnit.SECONDS);
                assertOnlyDuplicateFailed(store, outcomes);
                assertThat(counter.statements.get()).as("the group's text, then each member alone")
                        .isGreaterThanOrEqualTo(1 + QUEUED);
            } finally {
                foreign.close();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Tag("D21")
    @Tag("D18")
    @DisplayName("D21 D18: on PostgreSQL a processor's checkpoint advance and its commit travel in one round trip; a "
            + "refused advance still commits nothing of its transaction (no park, no work)")
    void processorAdvanceCommitsInOneRoundTrip() {
        Counter counter = new Counter();
        try (JdbcDatabase db = database(counter)) {
            EventStore store = open(db, AppendListener.NONE);
            NewEvent e = noted("a", 1);
            store.append(List.of(e));
            Checkpoints cps = oneSegmentHeldBy(store, "n1");

            counter.reset();
            cps.commit(List.of(new Completion.Advance("p", 0, 1, "n1")), List.of(), Checkpoints.Work.NONE);
            assertThat(counter.roundTrips()).as("the advance and the commit in one text").isEqualTo(1);
            assertThat(cps.all().getFirst().position()).isEqualTo(1);

            jangle.spi.Park park = new jangle.spi.Park(new jangle.spi.DeliveryKey(e.eventId(), "p"), 1,
                    e.metadata().correlationId(), 1, java.time.Instant.now(), "boom", false, "n2");
            List<String> workDone = new ArrayList<>();
            assertThatThrownBy(() -> cps.commit(List.of(new Completion.Advance("p", 0, 2, "n2")), List.of(park),
                    tx -> {
                        try (Statement st = tx.unwrap(Connection.class).orElseThrow().createStatement()) {
                            st.execute("CREATE TABLE fenced_work (id INTEGER)"); // rolled back with the rest
                        }
                        workDone.add("ran");
                    }))
                    .isInstanceOfSatisfying(LeaseLostException.class, lost -> {
                        assertThat(lost.processor()).isEqualTo("p");
                        assertThat(lost.segment()).isZero();
                        assertThat(lost.owner()).isEqualTo("n2");
                    });
            assertThat(workDone).as("the work ran, and was rolled back").containsExactly("ran");
            assertThat(cps.all().getFirst().position()).as("no advance").isEqualTo(1);
            assertThat(store.ledger().lowestPosition("p", jangle.spi.DeliveryStatus.PENDING)).as("no park").isEmpty();
            assertThat(counter.rollbacks.get()).isEqualTo(1);
            cps.commit(List.of(), List.of(), tx -> {
                try (Statement st = tx.unwrap(Connection.class).orElseThrow().createStatement()) {
                    st.execute("CREATE TABLE fenced_work (id INTEGER)"); // fails if the refused work had stayed
                }
            });
        }
    }

    @Test
    @Tag("SG4")
    @DisplayName("SG4: on PostgreSQL a saga's commit (its row with the version check, its events, the COMMIT) is one "
            + "round trip, new or updated; a stale one still writes nothing")
    void sagaCommitInOneRoundTrip() {
        Counter counter = new Counter();
        try (JdbcDatabase db = database(counter)) {
            jangle.spi.SagaStore sagas = TestEvents.open(db, 100).sagas();
            java.time.Instant at = java.time.Instant.parse("2026-03-01T10:00:00Z");
            java.util.function.IntFunction<jangle.spi.SagaEventEntry> entry = i -> new jangle.spi.SagaEventEntry(
                    UUID.randomUUID(), "test.Noted", new TestEvents.Noted("n" + i, i), at);
            counter.reset();
            sagas.commit(new jangle.spi.SagaState("s", "T", 1, null, null, false, false, null, List.of()), 0,
                    List.of(entry.apply(1), entry.apply(2)));
            assertThat(counter.roundTrips()).as("a new saga with two events").isEqualTo(1);
            counter.reset();
            sagas.commit(new jangle.spi.SagaState("s", "T", 2, null, null, true, false, null, List.of()), 1,
                    List.of(entry.apply(3)));
            assertThat(counter.roundTrips()).as("an update with one event").isEqualTo(1);
            assertThatThrownBy(() -> sagas.commit(new jangle.spi.SagaState("s", "T", 2, null, null, false, false,
                    null, List.of()), 1, List.of(entry.apply(4)))).isInstanceOf(VersionConflictException.class);
            jangle.spi.SagaState held = sagas.get("s").orElseThrow();
            assertThat(held.version()).isEqualTo(2);
            assertThat(held.complete()).isTrue();
            assertThat(held.events()).extracting(e -> ((TestEvents.Noted) e.event()).text())
                    .containsExactly("n1", "n2", "n3");
        }
    }
}
