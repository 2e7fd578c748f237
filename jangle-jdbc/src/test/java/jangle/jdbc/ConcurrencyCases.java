package jangle.jdbc;

import jangle.Command;
import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.RetriesExhaustedException;
import jangle.LeaseLostException;
import jangle.VersionConflictException;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.DeliveryStatus;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.spi.StoreContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import static jangle.jdbc.TestEvents.noted;
import static org.assertj.core.api.Assertions.assertThat;

/** Races against the real databases: the late commit of the global feed (G4) and one hot aggregate (issue 2). */
abstract class ConcurrencyCases {
    static final int THREADS = 8;
    static final int PER_THREAD = 500;

    protected JdbcDatabase db;

    protected abstract JdbcDatabase newDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = newDatabase();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    @Tag("G1")
    @Tag("G2")
    @Tag("G3")
    @Tag("G4")
    @DisplayName("G1-G4: an append held open after taking its position is never skipped by a polling reader")
    void lateCommitIsNeverSkipped() throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AppendListener hold = records -> {
            if (records.get(0).aggregateId().equals("held")) {
                taken.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        EventStore store = db.stores(hold).open(new StoreContext(TestEvents.registry(), Clock.systemUTC(), 100))
                .events();
        store.append(List.of(noted("warm", 1)));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            Future<?> held = pool.submit(() -> store.append(List.of(noted("held", 1))));
            assertThat(taken.await(30, TimeUnit.SECONDS)).isTrue();
            List<Future<?>> later = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String id = "later-" + i;
                later.add(pool.submit(() -> store.append(List.of(noted(id, 1), noted(id, 2)))));
            }
            List<Long> seen = new ArrayList<>();
            long after = 0;
            for (int poll = 0; poll < 50; poll++) { // later appends run (or wait) while we poll
                after = pollInto(store, after, seen);
                Thread.sleep(5);
            }
            // nothing committed after the held append may be visible before it: its position is the next one
            assertThat(seen).containsExactly(1L);
            release.countDown();
            held.get(30, TimeUnit.SECONDS);
            for (Future<?> f : later) f.get(30, TimeUnit.SECONDS);
            for (int poll = 0; poll < 10_000 && seen.size() < 12; poll++) after = pollInto(store, after, seen);

            List<Long> all = store.readFeed(0, 100).stream().map(EventRecord::position).toList();
            assertThat(all).hasSize(12);
            assertThat(seen).as("every committed event, exactly once, in position order").isEqualTo(all);
            assertThat(store.readFeed(0, 100).get(1).aggregateId()).isEqualTo("held");
            assertThat(store.ledger().list(DeliveryStatus.PENDING, null, 100)).as("D1: events only").isEmpty();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /** Writes waiting behind the running one: SQLite's writer queue or PostgreSQL's append groups. */
    private int waiting() {
        Connections c = db.connections();
        if (c instanceof SqliteConnections s) return s.waiting();
        PostgresAppendGroups groups = ((PostgresConnections) c).appendGroups();
        return groups == null ? 0 : groups.waiting();
    }

    @Test
    @Tag("D15")
    @Tag("D21")
    @Tag("G5")
    @DisplayName("D15/D21/G5: in a group commit, an append whose Advance lost its lease fails alone with "
            + "LeaseLostException and writes nothing; its neighbours (and a valid Advance) commit, gapless")
    void fencedAdvanceFailsAloneInGroup() throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AppendListener hold = records -> {
            if (records.get(0).aggregateId().equals("held")) {
                taken.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        EventStore store = db.stores(hold).open(new StoreContext(TestEvents.registry(), Clock.systemUTC(), 100))
                .events();
        Checkpoints cps = store.checkpoints();
        cps.register("p", 2, Checkpoints.Start.BEGINNING);
        java.time.Instant now = java.time.Instant.now();
        cps.claim("p", "n1", now, java.time.Duration.ofMillis(1), 2); // n1's lease runs out at once ...
        cps.claim("p", "n2", now.plusSeconds(1), java.time.Duration.ofMinutes(5), 1); // ... n2 takes segment 0
        store.append(List.of(noted("warm", 1)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Future<?> held = pool.submit(() -> store.append(List.of(noted("held", 1))));
            assertThat(taken.await(30, TimeUnit.SECONDS)).isTrue();
            Map<String, Object> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
            List<Future<?>> queued = new ArrayList<>();
            Map<String, Completion> members = new java.util.LinkedHashMap<>();
            members.put("n-0", null);
            members.put("lost-one", new Completion.Advance("p", 0, 2, "n1")); // PostgreSQL: the one-statement path
            members.put("n-1", null);
            members.put("lost-two", new Completion.Advance("p", 0, 2, "n1")); // two events: the general path
            members.put("won", new Completion.Advance("p", 0, 2, "n2"));
            members.put("n-2", null);
            for (Map.Entry<String, Completion> m : members.entrySet()) {
                String id = m.getKey();
                List<NewEvent> events = id.equals("lost-two") ? List.of(noted(id, 1), noted(id, 2))
                        : List.of(noted(id, 1));
                queued.add(pool.submit(() -> {
                    try {
                        outcomes.put(id, store.append(events, m.getValue()).lastPosition());
                    } catch (LeaseLostException lost) {
                        outcomes.put(id, lost);
                    }
                }));
            }
            for (int i = 0; i < 60_000 && waiting() < members.size(); i++) Thread.sleep(1);
            assertThat(waiting()).as("appends queued behind the held one: one group").isEqualTo(members.size());
            release.countDown();
            held.get(30, TimeUnit.SECONDS);
            for (Future<?> f : queued) f.get(30, TimeUnit.SECONDS);

            assertThat(outcomes.get("lost-one")).isInstanceOf(LeaseLostException.class);
            assertThat(outcomes.get("lost-two")).isInstanceOf(LeaseLostException.class);
            for (String ok : List.of("n-0", "n-1", "n-2", "won")) assertThat(outcomes.get(ok)).isInstanceOf(Long.class);
            assertThat(store.lastVersion("lost-one")).isZero();
            assertThat(store.lastVersion("lost-two")).isZero();
            assertThat(store.readFeed(0, 100)).extracting(EventRecord::position)
                    .as("gapless: the refused members took no number").containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(cps.all()).filteredOn(c -> c.segment() == 0).singleElement()
                    .satisfies(c -> assertThat(c.position()).isEqualTo(2));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: owners claiming one processor's segments at the same time never hold one segment together")
    void concurrentClaimsNeverShareASegment() throws Exception {
        EventStore store = TestEvents.open(db, 100).events();
        Checkpoints cps = store.checkpoints();
        int segments = 16;
        cps.register("p", segments, Checkpoints.Start.BEGINNING);
        java.time.Instant now = java.time.Instant.now();
        int owners = 4;
        for (int round = 0; round < 20; round++) {
            java.time.Instant at = now.plusSeconds(round * 60L); // every lease of the previous round has run out
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(owners);
            try {
                List<Future<List<jangle.spi.Checkpoint>>> claims = new ArrayList<>();
                for (int o = 0; o < owners; o++) {
                    String owner = "n" + o;
                    claims.add(pool.submit(() -> {
                        start.await();
                        return cps.claim("p", owner, at, java.time.Duration.ofSeconds(30), segments); // greedy
                    }));
                }
                start.countDown();
                Map<Integer, String> holder = new java.util.HashMap<>();
                for (int o = 0; o < owners; o++) {
                    for (jangle.spi.Checkpoint c : claims.get(o).get(30, TimeUnit.SECONDS)) {
                        String before = holder.put(c.segment(), "n" + o);
                        assertThat(before).as("segment " + c.segment() + " returned to two owners").isNull();
                    }
                }
                assertThat(holder).as("greedy owners took every segment between them").hasSize(segments);
                for (jangle.spi.Checkpoint c : cps.all()) {
                    assertThat(c.owner()).contains(holder.get(c.segment()));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static long pollInto(EventStore store, long after, List<Long> seen) {
        for (EventRecord<?> r : store.readFeed(after, 100)) {
            assertThat(r.position()).as("no position at or below one already returned (G1)").isGreaterThan(after);
            seen.add(r.position());
            after = r.position();
        }
        return after;
    }

    @Test
    @Tag("H1")
    @Tag("ST4")
    @DisplayName("ST4/H1: 8 threads appending at lastVersion + 1 to one stream leave versions gapless, none lost")
    void racingAppendsStayGapless() throws Exception {
        EventStore store = TestEvents.open(db, 100).events();
        int perThread = 100;
        LongAdder conflicts = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                List<Long> mine = new ArrayList<>();
                while (mine.size() < perThread) {
                    long next = store.lastVersion("hot") + 1;
                    try {
                        store.append(List.of(noted("hot", next)));
                        mine.add(next);
                    } catch (VersionConflictException e) {
                        conflicts.increment();
                    }
                }
                return mine;
            }));
        }
        start.countDown();
        List<Long> acknowledged = new ArrayList<>();
        for (Future<List<Long>> f : futures) acknowledged.addAll(f.get(120, TimeUnit.SECONDS));
        pool.shutdown();
        List<Long> versions;
        try (var s = store.read("hot", 0)) {
            versions = s.map(EventRecord::version).toList();
        }
        assertThat(versions).hasSize(THREADS * perThread);
        for (int i = 0; i < versions.size(); i++) assertThat(versions.get(i)).isEqualTo(i + 1L);
        assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(versions);
    }

    @Test
    @Tag("H1")
    @Tag("H2")
    @Tag("H3")
    @Tag("H9")
    @DisplayName("H1-H3/issue 2, H9: 8 threads x 500 commands on one aggregate through Jangle: gapless, floor kept, no conflict")
    void hotAggregateThroughJangle() throws Exception {
        try (Jangle j = Jangle.builder().environment(Map.of()).stores(db.stores())
                .commands(TestBank.Cmd.class).events(TestBank.Evt.class)
                .aggregate(TestBank.Account.class, TestBank.Account::new)
                .build()) {
            String id = "hot-account";
            LongAdder accepted = new LongAdder();
            LongAdder rejected = new LongAdder();
            LongAdder exhausted = new LongAdder();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < PER_THREAD; i++) {
                        BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(30));
                        Command c = random.nextBoolean() ? new TestBank.Deposit(id, amount)
                                : new TestBank.Withdraw(id, amount);
                        try {
                            CommandResponse r = j.send(c);
                            (r.isAccepted() ? accepted : rejected).increment();
                        } catch (RetriesExhaustedException e) {
                            exhausted.increment();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) f.get(300, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(accepted.sum() + rejected.sum() + exhausted.sum()).isEqualTo((long) THREADS * PER_THREAD);
            // H9: one node queues its commands per aggregate, so none races another and none runs out of retries
            assertThat(exhausted.sum()).as("retries exhausted on one node").isZero();
            assertThat(j.operations().commandCounts().conflicts()).as("version conflicts on one node").isZero();
            assertThat(accepted.sum()).isPositive();

            List<EventRecord<?>> history;
            try (var s = j.stores().events().read(id, 0)) {
                history = s.collect(Collectors.toList());
            }
            assertThat(history).hasSize((int) accepted.sum()); // nothing vanished, nothing doubled
            BigDecimal balance = BigDecimal.ZERO;
            for (int i = 0; i < history.size(); i++) {
                EventRecord<?> r = history.get(i);
                assertThat(r.version()).isEqualTo(i + 1);
                if (r.event() instanceof TestBank.Deposited d) balance = balance.add(d.amount());
                if (r.event() instanceof TestBank.Withdrawn w) balance = balance.subtract(w.amount());
                assertThat(balance).isGreaterThanOrEqualTo(TestBank.FLOOR);
            }
        }
    }

    @Test
    @Tag("D16")
    @Tag("G5")
    @DisplayName("D16 G5: concurrent appends run their in-feed-order hook in position order (some fail, none reorder)")
    void inFeedOrderHookFollowsPositions() throws Exception {
        EventStore store = TestEvents.open(db, 100).events();
        List<java.util.UUID> hookOrder = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        LongAdder conflicts = new LongAdder();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 100; i++) {
                    // half of the appends race for one stream, so some fail after or before their hook
                    String id = i % 2 == 0 ? "shared" : "own-" + thread;
                    NewEvent e = noted(id, store.lastVersion(id) + 1);
                    try {
                        store.append(List.of(e), null, () -> hookOrder.add(e.eventId()));
                    } catch (VersionConflictException conflict) {
                        conflicts.increment();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) f.get(120, TimeUnit.SECONDS);
        pool.shutdown();
        List<java.util.UUID> feed = store.readFeed(0, 10_000).stream().map(EventRecord::eventId).toList();
        List<java.util.UUID> committedInHookOrder = new ArrayList<>(hookOrder);
        committedInHookOrder.retainAll(new java.util.HashSet<>(feed));
        assertThat(feed).hasSize(THREADS * 100 - (int) conflicts.sum());
        assertThat(committedInHookOrder).as("hooks of committed appends, in the order they ran").isEqualTo(feed);
    }
}
