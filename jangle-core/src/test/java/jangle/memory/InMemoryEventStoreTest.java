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

    private NewEvent event(String aggregate, long version) {
        return event(aggregate, version, T0, correlation);
    }

    private NewEvent event(String aggregate, long version, Instant at, UUID corr) {
        return new NewEvent(UUID.randomUUID(), aggregate, version, "Ping", 1, at, Metadata.of(corr),
                new Ping((int) version));
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
        store.append(List.of(event("a", 1)));
        assertThatThrownBy(() -> store.append(List.of(event("b", 1), event("a", 1))))
                .isInstanceOf(VersionConflictException.class)
                .satisfies(e -> {
                    assertThat(((VersionConflictException) e).aggregateId()).isEqualTo("a");
                    assertThat(((VersionConflictException) e).version()).isEqualTo(1);
                });
        assertThatThrownBy(() -> store.append(List.of(event("a", 3)))).isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.append(List.of(event("a", 2), event("a", 4))))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.append(List.of(event("c", 2)))).isInstanceOf(VersionConflictException.class);
        // nothing of the failed appends is visible: no event, no consumed position or version
        assertThat(store.lastVersion("b")).isZero();
        assertThat(store.lastPosition()).isEqualTo(1);
        assertThat(store.append(List.of(event("a", 2))).records().get(0).position()).isEqualTo(2);
    }

    @Test
    @DisplayName("§7: an event id appended twice is DuplicateEventIdException and nothing is written")
    void duplicateEventId() {
        NewEvent e = event("a", 1);
        store.append(List.of(e));
        NewEvent again = new NewEvent(e.eventId(), "b", 1, "Ping", 1, T0, e.metadata(), e.event());
        assertThatThrownBy(() -> store.append(List.of(again))).isInstanceOf(DuplicateEventIdException.class);
        NewEvent x = event("c", 1);
        NewEvent twin = new NewEvent(x.eventId(), "d", 1, "Ping", 1, T0, x.metadata(), x.event());
        assertThatThrownBy(() -> store.append(List.of(x, twin))).isInstanceOf(DuplicateEventIdException.class);
        assertThat(store.lastVersion("c")).isZero();
        assertThat(store.lastPosition()).isEqualTo(1);
    }

    @Test
    @Tag("D1")
    @DisplayName("D1: an append writes the events and nothing for dispatch: no parked row appears")
    void appendWritesNoDeliveries() {
        store.append(List.of(event("a", 1), event("b", 1)));
        assertThat(store.list(DeliveryStatus.PENDING, null, 10)).isEmpty();
        assertThat(store.handlersWithWork()).isEmpty();
    }

    @Test
    @Tag("D15")
    @Tag("D21")
    @DisplayName("D15, D21: an append's Advance moves the owner's checkpoint with the events; a non-owner's writes nothing")
    void completingAdvance() {
        store.checkpoints().register("mediator", 1, jangle.spi.Checkpoints.Start.BEGINNING);
        store.checkpoints().claim("mediator", "n1", T0, Duration.ofSeconds(10), 1);
        AppendResult first = store.append(List.of(event("a", 1)));
        long p = first.lastPosition();
        assertThatThrownBy(() -> store.append(List.of(event("b", 1)),
                new jangle.spi.Completion.Advance("mediator", 0, p, "n2")))
                .isInstanceOf(jangle.LeaseLostException.class);
        assertThat(store.lastPosition()).isEqualTo(p);
        store.append(List.of(event("b", 1)), new jangle.spi.Completion.Advance("mediator", 0, p, "n1"));
        assertThat(store.checkpoints().all()).singleElement()
                .satisfies(c -> assertThat(c.position()).isEqualTo(p));
        // a failed append writes no completion either
        assertThatThrownBy(() -> store.append(List.of(event("a", 1)),
                new jangle.spi.Completion.Advance("mediator", 0, p + 5, "n1")))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store.checkpoints().all().get(0).position()).isEqualTo(p);
    }

    @Test
    @Tag("D3")
    @Tag("D11")
    @Tag("D12")
    @DisplayName("D3, D11, D12: parked rows count failures, die at the limit, and answer retry, skip and Resolve")
    void parkedRows() {
        AppendResult a = store.append(List.of(event("a", 1)));
        EventRecord<?> r = a.records().get(0);
        DeliveryKey key = new DeliveryKey(r.eventId(), "h");
        store.checkpoints().commit(List.of(), List.of(new jangle.spi.Park(key, r.position(), correlation, 1,
                T0.plusSeconds(1), "x: one", false, "local")), jangle.spi.Checkpoints.Work.NONE);
        assertThat(store.list(DeliveryStatus.PENDING, "h", 10)).singleElement()
                .satisfies(d -> assertThat(d.attempts()).isEqualTo(1));
        assertThat(store.recordFailure(key, "x: two", T0.plusSeconds(2), 2)).isEqualTo(DeliveryStatus.DEAD);
        assertThat(store.lowestPosition("h", DeliveryStatus.DEAD)).hasValue(r.position());
        assertThat(store.count(correlation, DeliveryStatus.DEAD)).isEqualTo(1);
        assertThat(store.retry(r.eventId(), "h")).isEqualTo(1);
        assertThat(store.list(DeliveryStatus.PENDING, "h", 10)).hasSize(1);
        store.append(List.of(event("b", 1)), new jangle.spi.Completion.Resolve(key));
        assertThat(store.list(DeliveryStatus.PENDING, null, 10)).isEmpty();
        // Resolve of an unknown row is not an error
        store.append(List.of(event("c", 1)), new jangle.spi.Completion.Resolve(new DeliveryKey(UUID.randomUUID(), "x")));
        assertThat(store.lastPosition()).isEqualTo(3);
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
