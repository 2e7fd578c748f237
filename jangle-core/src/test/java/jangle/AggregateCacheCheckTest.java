package jangle;

import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.NewEvent;
import jangle.spi.Stores;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * H7: how a decision taken on a cached aggregate is confirmed. With {@code CacheCheck.APPEND} (the default) an
 * accepting command reads nothing before its append; every decision the append cannot confirm is taken again after
 * the read; a stale entry is caught up, never answered from, and costs no attempt.
 */
class AggregateCacheCheckTest {

    /** The in-memory store, counting the per-aggregate reads a command makes before it decides. */
    static final class CountingEvents extends ForwardingEvents {
        final AtomicInteger reads = new AtomicInteger();

        CountingEvents() {
            super(new InMemoryEventStore("test"));
        }

        @Override
        public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
            reads.incrementAndGet();
            return inner.read(aggregateId, afterVersion);
        }

        @Override
        public long forEachAfter(String aggregateId, long afterVersion, Consumer<EventRecord<?>> sink) {
            reads.incrementAndGet();
            return inner.forEachAfter(aggregateId, afterVersion, sink);
        }

        /** An append behind the application's back, as another node would make it. */
        void appendElsewhere(String accountId, long version, Event event, String type) {
            inner.append(List.of(new NewEvent(UUID.randomUUID(), accountId, version, type, 1, Instant.now(),
                    Metadata.of(UUID.randomUUID()), event)));
        }
    }

    private static Jangle bank(CountingEvents events, Settings.CacheCheck check, AtomicInteger built) {
        return Jangle.builder().environment(Map.of()).commands(Bank.Cmd.class).events(Bank.Evt.class)
                .aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, id -> {
                    built.incrementAndGet();
                    return new Bank.Account(id);
                })
                .stores(context -> Stores.of(events, new InMemorySnapshotStore(), new InMemorySagaStore()))
                .aggregateCacheCheck(check).commandMaxAttempts(1).build();
    }

    @Test
    @Tag("H7")
    @DisplayName("H7: with APPEND an accepted command on a cached aggregate reads nothing first; with READ it reads once")
    void acceptedCommandsSkipTheRead() {
        for (Settings.CacheCheck check : Settings.CacheCheck.values()) {
            CountingEvents events = new CountingEvents();
            AtomicInteger built = new AtomicInteger();
            try (Jangle j = bank(events, check, built)) {
                String a = j.send(new Bank.Open("Ana")).acceptedData(String.class);
                j.send(new Bank.Deposit(a, BigDecimal.TEN)); // builds and caches the account
                int before = events.reads.get();
                for (int i = 0; i < 20; i++) assertThat(j.send(new Bank.Deposit(a, BigDecimal.ONE)).isAccepted()).isTrue();
                int reads = events.reads.get() - before;
                assertThat(reads).as(check.name()).isEqualTo(check == Settings.CacheCheck.APPEND ? 0 : 20);
                assertThat(built.get()).isEqualTo(1);
                assertThat(j.operations().commandCounts().conflicts()).isZero();
            }
        }
    }

    @Test
    @Tag("H7")
    @DisplayName("H7: a stale entry's accepting decision is refused by the append, caught up and decided again, "
            + "within one attempt")
    void staleEntryCaughtUpOnConflict() {
        CountingEvents events = new CountingEvents();
        AtomicInteger built = new AtomicInteger();
        try (Jangle j = bank(events, Settings.CacheCheck.APPEND, built)) {
            String a = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            j.send(new Bank.Deposit(a, BigDecimal.TEN)); // version 2, cached
            events.appendElsewhere(a, 3, new Bank.Withdrawn(new BigDecimal("10")), "Withdrawn");
            // commandMaxAttempts is 1: a stale entry must not use up the only attempt
            CommandResponse r = j.send(new Bank.Withdraw(a, new BigDecimal("100")));
            assertThat(r.isAccepted()).isTrue();
            assertThat(r.token().version()).isEqualTo(4);
            assertThat(j.operations().commandCounts().conflicts()).isEqualTo(1);
            assertThat(built.get()).isEqualTo(1); // caught up by reading, not rebuilt
            // the balance was decided on the caught-up state: 10 − 10 − 100 = −100, the floor
            assertThat(j.send(new Bank.Withdraw(a, new BigDecimal("0.01"))).isAccepted()).isFalse();
        }
    }

    @Test
    @Tag("H7")
    @DisplayName("H7: rejections, expected-version mismatches and decisions without an own event are taken again "
            + "after the read")
    void unconfirmableDecisionsAreRead() {
        CountingEvents events = new CountingEvents();
        AtomicInteger built = new AtomicInteger();
        try (Jangle j = bank(events, Settings.CacheCheck.APPEND, built)) {
            String a = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            j.send(new Bank.Deposit(a, BigDecimal.ONE)); // version 2, cached
            // a rejection on the cached state (balance 1) would be wrong: the store holds a deposit of 1,000
            events.appendElsewhere(a, 3, new Bank.Deposited(new BigDecimal("1000")), "Deposited");
            assertThat(j.send(new Bank.Withdraw(a, new BigDecimal("1000"))).isAccepted()).isTrue();
            // an expected version the cached entry does not have yet, but the store does
            events.appendElsewhere(a, 5, new Bank.Deposited(BigDecimal.ONE), "Deposited");
            CommandResponse exact = j.send(new Bank.Deposit(a, BigDecimal.ONE),
                    SendOptions.expectVersion(5));
            assertThat(exact.isAccepted()).as(String.valueOf(exact)).isTrue();
            // an accepted decision that posts nothing: renaming to the cached name, while the store renamed it
            events.appendElsewhere(a, 7, new Bank.Renamed("Bea"), "AccountRenamed");
            int before = events.reads.get();
            j.send(new Bank.Rename(a, "Ana"));
            assertThat(events.reads.get() - before).isEqualTo(1);
            assertThat(events.lastVersion(a)).as("the rename to Ana was decided on the store's name Bea").isEqualTo(8);
            assertThat(built.get()).isEqualTo(1);
            assertThat(j.operations().commandCounts().conflicts()).isZero();
        }
    }

    @Test
    @Tag("H7")
    @DisplayName("H7: a cache check that is neither READ nor APPEND is refused at build, naming the setting")
    void badSettingIsRefused() {
        assertThatThrownBy(() -> Jangle.builder().environment(Map.of("JANGLE_AGGREGATE_CACHE_CHECK", "sometimes"))
                .commands(Bank.Cmd.class).events(Bank.Evt.class).aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, Bank.Account::new).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("JANGLE_AGGREGATE_CACHE_CHECK")
                                .contains("'sometimes'").contains("must be READ or APPEND")));
        assertThatThrownBy(() -> Jangle.builder().environment(Map.of()).commands(Bank.Cmd.class)
                .events(Bank.Evt.class).aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, Bank.Account::new).aggregateCacheCheck(null).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("aggregateCacheCheck must be READ or APPEND")));
    }
}
