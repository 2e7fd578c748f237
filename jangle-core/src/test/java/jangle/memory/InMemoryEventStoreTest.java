package jangle.memory;

import jangle.DuplicateEventIdException;
import jangle.Event;
import jangle.EventRecord;
import jangle.Metadata;
import jangle.VersionConflictException;
import jangle.spi.AppendResult;
import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.NewEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryEventStoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    record Ping(int n) implements Event {
    }

    private final InMemoryEventStore store = new InMemoryEventStore();
    private final UUID correlation = UUID.randomUUID();

    private NewEvent event(String aggregate, long version, String... handlers) {
        return event(aggregate, version, T0, correlation, handlers);
    }

    private NewEvent event(String aggregate, long version, Instant at, UUID corr, String... handlers) {
        return new NewEvent(UUID.randomUUID(), aggregate, version, "Ping", 1, at, Metadata.of(corr),
                new Ping((int) version), List.of(handlers));
    }

    private List<EventRecord<?>> read(String aggregate, long after) {
        try (Stream<EventRecord<?>> s = store.read(aggregate, after)) {
            return s.toList();
        }
    }

    @Test
    @Tag("ST2")
    @DisplayName("§7, ST2: append assigns increasing positions; records read back equal the ones appended")
    void appendAndRead() {
        AppendResult r = store.append(List.of(event("a", 1), event("a", 2), event("b", 1)));
        assertThat(r.records()).extracting(EventRecord::position).containsExactly(1L, 2L, 3L);
        assertThat(r.lastPosition()).isEqualTo(3);
        assertThat(read("a", 0)).containsExactlyElementsOf(r.records().subList(0, 2));
        assertThat(read("a", 1)).containsExactly(r.records().get(1));
        assertThat(read("a", 2)).isEmpty();
        assertThat(read("zzz", 0)).isEmpty();
        assertThat(store.lastVersion("a")).isEqualTo(2);
        assertThat(store.lastVersion("zzz")).isZero();
        assertThat(store.lastPosition()).isEqualTo(3);
        assertThat(store.readEvent(r.records().get(2).eventId())).contains(r.records().get(2));
        assertThat(store.readEvent(UUID.randomUUID())).isEmpty();
        assertThat(store.readFeed(0, 2)).containsExactlyElementsOf(r.records().subList(0, 2));
        assertThat(store.readFeed(2, 10)).containsExactly(r.records().get(2));
        assertThat(store.readFeed(3, 10)).isEmpty();
    }

    @Test
    @Tag("H1")
    @Tag("ST3")
    @Tag("ST4")
    @DisplayName("ST4, H1, ST3: a version that is not last+1, a gap, or a repeat fails the whole append and writes nothing")
    void gaplessVersions() {
        store.append(List.of(event("a", 1, "h")));
        assertThatThrownBy(() -> store.append(List.of(event("b", 1, "h"), event("a", 1, "h"))))
                .isInstanceOf(VersionConflictException.class)
                .satisfies(e -> {
                    assertThat(((VersionConflictException) e).aggregateId()).isEqualTo("a");
                    assertThat(((VersionConflictException) e).version()).isEqualTo(1);
                });
        assertThatThrownBy(() -> store.append(List.of(event("a", 3)))).isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.append(List.of(event("a", 2), event("a", 4))))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.append(List.of(event("c", 2)))).isInstanceOf(VersionConflictException.class);
        // nothing of the failed appends is visible: no event, no delivery, no consumed position or version
        assertThat(store.lastVersion("b")).isZero();
        assertThat(store.lastPosition()).isEqualTo(1);
        assertThat(store.list(DeliveryStatus.PENDING, null, 100)).hasSize(1);
        assertThat(store.append(List.of(event("a", 2))).records().get(0).position()).isEqualTo(2);
    }

    @Test
    @DisplayName("§7: an event id appended twice is DuplicateEventIdException and nothing is written")
    void duplicateEventId() {
        NewEvent e = event("a", 1);
        store.append(List.of(e));
        NewEvent again = new NewEvent(e.eventId(), "b", 1, "Ping", 1, T0, e.metadata(), e.event(), List.of());
        assertThatThrownBy(() -> store.append(List.of(again))).isInstanceOf(DuplicateEventIdException.class);
        NewEvent x = event("c", 1);
        NewEvent twin = new NewEvent(x.eventId(), "d", 1, "Ping", 1, T0, x.metadata(), x.event(), List.of());
        assertThatThrownBy(() -> store.append(List.of(x, twin))).isInstanceOf(DuplicateEventIdException.class);
        assertThat(store.lastVersion("c")).isZero();
        assertThat(store.lastPosition()).isEqualTo(1);
    }

    @Test
    @Tag("D1")
    @DisplayName("D1: each committed event gets one pending delivery per subscribed handler, none without handlers")
    void deliveriesWrittenWithEvents() {
        AppendResult r = store.append(List.of(event("a", 1, "p", "q"), event("a", 2)));
        List<Delivery> pending = store.list(DeliveryStatus.PENDING, null, 100);
        assertThat(pending).extracting(Delivery::handler).containsExactly("p", "q");
        Delivery d = pending.get(0);
        EventRecord<?> rec = r.records().get(0);
        assertThat(d.eventId()).isEqualTo(rec.eventId());
        assertThat(d.eventType()).isEqualTo("Ping");
        assertThat(d.aggregateId()).isEqualTo("a");
        assertThat(d.version()).isEqualTo(1);
        assertThat(d.position()).isEqualTo(rec.position());
        assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(d.attempts()).isZero();
        assertThat(d.committedAt()).isEqualTo(T0);
        assertThat(d.correlationId()).isEqualTo(correlation);
        assertThat(store.handlersWithWork()).containsExactly("p", "q");
    }

    @Test
    @Tag("D15")
    @DisplayName("D15: append marks the completing delivery done in the same call; a failed append marks nothing")
    void completingDelivery() {
        AppendResult first = store.append(List.of(event("a", 1, "mediator")));
        DeliveryKey key = new DeliveryKey(first.records().get(0).eventId(), "mediator");
        assertThatThrownBy(() -> store.append(List.of(event("a", 1)), key))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store.list(DeliveryStatus.PENDING, "mediator", 10)).hasSize(1);
        store.append(List.of(event("b", 1)), key);
        assertThat(store.list(DeliveryStatus.PENDING, "mediator", 10)).isEmpty();
        // unknown or already done: not an error
        store.append(List.of(event("c", 1)), key);
        store.append(List.of(event("d", 1)), new DeliveryKey(UUID.randomUUID(), "x"));
        assertThat(store.lastPosition()).isEqualTo(4);
    }

    @Test
    @Tag("D9")
    @DisplayName("D9, §19 bug 19: due selects deliveries older than the max age (right sign), oldest position first, limited")
    void dueByAge() {
        store.append(List.of(event("a", 1, T0, correlation, "h")));
        store.append(List.of(event("b", 1, T0.plusSeconds(20), correlation, "h")));
        store.append(List.of(event("c", 1, T0.plusSeconds(40), correlation, "h")));
        Instant now = T0.plusSeconds(50);
        assertThat(store.due(now, Duration.ofSeconds(30), 10)).extracting(Delivery::aggregateId)
                .containsExactly("a", "b");
        assertThat(store.due(now, Duration.ofSeconds(60), 10)).isEmpty();
        assertThat(store.due(now, Duration.ZERO, 2)).extracting(Delivery::aggregateId).containsExactly("a", "b");
        // a failure counts from its attempt, not from the commit
        Delivery a = store.due(now, Duration.ZERO, 1).get(0);
        store.recordFailure(a.key(), "x: y", now, 5);
        assertThat(store.due(now, Duration.ofSeconds(30), 10)).extracting(Delivery::aggregateId)
                .containsExactly("b");
        assertThat(store.due(now.plusSeconds(30), Duration.ofSeconds(30), 10)).extracting(Delivery::aggregateId)
                .containsExactly("a", "b", "c");
    }

    @Test
    @Tag("D3")
    @Tag("D11")
    @DisplayName("D3, D11: failures count attempts and keep the error; the last allowed attempt parks a dead letter")
    void failuresAndDeadLetters() {
        store.append(List.of(event("a", 1, "h", "other")));
        DeliveryKey key = store.list(DeliveryStatus.PENDING, "h", 1).get(0).key();
        assertThat(store.recordFailure(key, "java.lang.IllegalStateException: one", T0.plusSeconds(1), 3))
                .isEqualTo(DeliveryStatus.PENDING);
        assertThat(store.recordFailure(key, "java.lang.IllegalStateException: two", T0.plusSeconds(2), 3))
                .isEqualTo(DeliveryStatus.PENDING);
        assertThat(store.recordFailure(key, "java.lang.IllegalStateException: three", T0.plusSeconds(3), 3))
                .isEqualTo(DeliveryStatus.DEAD);
        Delivery dead = store.list(DeliveryStatus.DEAD, null, 10).get(0);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.firstFailureAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(dead.lastAttemptAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(dead.lastError()).isEqualTo("java.lang.IllegalStateException: three");
        assertThat(store.due(T0.plus(Duration.ofDays(1)), Duration.ZERO, 10)).extracting(Delivery::handler)
                .containsExactly("other");
        assertThat(store.lowestPosition("h", DeliveryStatus.DEAD)).hasValue(1);
        assertThat(store.lowestPosition("h", DeliveryStatus.PENDING)).isEmpty();
        assertThat(store.count(correlation, DeliveryStatus.DEAD)).isEqualTo(1);
        assertThat(store.count(correlation, DeliveryStatus.PENDING)).isEqualTo(1);
        // done or unknown deliveries report DONE and change nothing
        store.markDone(List.of(new DeliveryKey(key.eventId(), "other")));
        assertThat(store.recordFailure(new DeliveryKey(key.eventId(), "other"), "e", T0, 3))
                .isEqualTo(DeliveryStatus.DONE);
        assertThat(store.count(correlation, DeliveryStatus.PENDING)).isZero();
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: retry resets attempts and makes a dead letter due at once; skip marks it done")
    void operatorActions() {
        store.append(List.of(event("a", 1, "h", "k")));
        store.append(List.of(event("b", 1, "h")));
        List<Delivery> all = store.list(DeliveryStatus.PENDING, null, 10);
        for (Delivery d : all) store.recordFailure(d.key(), "e: m", T0.plusSeconds(5), 1);
        assertThat(store.list(DeliveryStatus.DEAD, null, 10)).hasSize(3);

        UUID first = all.get(0).eventId();
        assertThat(store.retry(first, "h")).isEqualTo(1);
        Delivery reset = store.list(DeliveryStatus.PENDING, null, 10).get(0);
        assertThat(reset.attempts()).isZero();
        assertThat(reset.lastError()).isEqualTo("e: m");
        assertThat(store.due(T0.plusSeconds(5), Duration.ofHours(1), 10)).containsExactly(reset);
        assertThat(store.retry(first, null)).isEqualTo(1); // the other handler of that event
        assertThat(store.retryAll("h")).isEqualTo(1);
        assertThat(store.list(DeliveryStatus.DEAD, null, 10)).isEmpty();
        assertThat(store.retryAll(null)).isZero();

        assertThat(store.skip(reset.key(), "operator said so")).isTrue();
        assertThat(store.skip(reset.key(), "again")).isFalse();
        assertThat(store.list(DeliveryStatus.PENDING, null, 10)).hasSize(2);
    }

    @Test
    @Tag("CA1")
    @Tag("CA3")
    @DisplayName("CA1, CA3: lowest pending position per handler and counts per correlation id follow every change")
    void waitQueries() {
        UUID other = UUID.randomUUID();
        store.append(List.of(event("a", 1, T0, correlation, "p")));
        store.append(List.of(event("b", 1, T0, other, "p", "q")));
        assertThat(store.lowestPosition("p", DeliveryStatus.PENDING)).hasValue(1);
        assertThat(store.lowestPosition("q", DeliveryStatus.PENDING)).hasValue(2);
        assertThat(store.count(other, DeliveryStatus.PENDING)).isEqualTo(2);
        store.markDone(store.list(DeliveryStatus.PENDING, "p", 1).stream().map(Delivery::key).toList());
        assertThat(store.lowestPosition("p", DeliveryStatus.PENDING)).hasValue(2);
        assertThat(store.count(correlation, DeliveryStatus.PENDING)).isZero();
        store.markDone(List.of(new DeliveryKey(UUID.randomUUID(), "p"))); // unknown: no error
        assertThat(store.lowestPosition("nobody", DeliveryStatus.PENDING)).isEmpty();
    }

    @Test
    @DisplayName("§19 bug 3: marking deliveries done while walking a due page neither breaks the walk nor skips work")
    void markDoneDuringScan() {
        for (int i = 1; i <= 10; i++) store.append(List.of(event("s" + i, 1, "h")));
        List<Delivery> page = store.due(T0, Duration.ZERO, 100);
        List<String> walked = new ArrayList<>();
        for (Delivery d : page) {
            store.markDone(List.of(d.key()));
            walked.add(d.aggregateId());
        }
        assertThat(walked).hasSize(10);
        assertThat(store.due(T0, Duration.ZERO, 100)).isEmpty();
    }

    @Test
    @Tag("G1")
    @DisplayName("§7, G1: concurrent appends get unique gapless versions; a feed reader never skips a position")
    void concurrentAppendsAndFeedReader() throws Exception {
        int writers = 4;
        int perWriter = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perWriter; i++) {
                        while (true) {
                            long next = store.lastVersion("hot") + 1;
                            try {
                                store.append(List.of(event("hot", next), event("own-" + Thread.currentThread().threadId()
                                        + "-" + i, 1)));
                                break;
                            } catch (VersionConflictException retry) {
                                // lost the race: try the next version
                            }
                        }
                    }
                    return null;
                }));
            }
            Future<List<Long>> reader = pool.submit(() -> {
                List<Long> seen = new ArrayList<>();
                long after = 0;
                go.await();
                while (after < writers * perWriter * 2L) {
                    for (EventRecord<?> r : store.readFeed(after, 97)) {
                        seen.add(r.position());
                        after = r.position();
                    }
                }
                return seen;
            });
            go.countDown();
            for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
            List<Long> seen = reader.get(60, TimeUnit.SECONDS);
            assertThat(seen).hasSize(writers * perWriter * 2);
            for (int i = 0; i < seen.size(); i++) assertThat(seen.get(i)).isEqualTo(i + 1L);
            assertThat(read("hot", 0)).extracting(EventRecord::version)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, writers * perWriter)
                            .boxed().toList());
        } finally {
            pool.shutdownNow();
        }
    }
}
