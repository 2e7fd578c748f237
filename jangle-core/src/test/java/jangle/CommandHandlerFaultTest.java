package jangle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandHandlerFaultTest {

    private static JangleBuilder bank(FaultyStores stores, int snapshotFrequency) {
        return Jangle.builder().environment(Map.of()).stores(stores)
                .commands(Bank.Cmd.class).events(Bank.Evt.class)
                .aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, id -> new Bank.Account(id, snapshotFrequency))
                .commandBackoff(Duration.ofMillis(1), Duration.ofMillis(2));
    }

    @Test
    @Tag("H3")
    @DisplayName("H3, §19.1: conflicts are retried a bounded number of times, then RetriesExhaustedException")
    void boundedRetries() {
        FaultyStores stores = new FaultyStores();
        try (Jangle j = bank(stores, 0).commandMaxAttempts(4).build()) {
            String id = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            stores.failAppendsWithConflict.set(1_000);
            assertThatThrownBy(() -> j.send(new Bank.Deposit(id, BigDecimal.ONE)))
                    .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> {
                        assertThat(e.attempts()).isEqualTo(4);
                        assertThat(e.aggregateId()).isEqualTo(id);
                    });
            assertThat(stores.failAppendsWithConflict.get()).isEqualTo(1_000 - 4);
        }
    }

    @Test
    @Tag("H2")
    @DisplayName("H2: after a conflict the command is revalidated against fresh state and succeeds")
    void retrySucceeds() {
        FaultyStores stores = new FaultyStores();
        try (Jangle j = bank(stores, 0).build()) {
            String id = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            stores.failAppendsWithConflict.set(2);
            CommandResponse r = j.send(new Bank.Deposit(id, BigDecimal.TEN));
            assertThat(r.isAccepted()).isTrue();
            assertThat(r.token().version()).isEqualTo(2);
            assertThat(j.stores().events().lastVersion(id)).isEqualTo(2);
        }
    }

    @Test
    @Tag("H4")
    @Tag("S6")
    @DisplayName("S6, H4: a failing snapshot store never fails a command; a failed read means a full replay")
    void snapshotStoreFailures() {
        FaultyStores stores = new FaultyStores();
        try (Jangle j = bank(stores, 2).aggregateCacheSize(0).build()) {
            String id = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            stores.failSnapshotWrites.set(100);
            CommandResponse r = j.send(new Bank.Deposit(id, new BigDecimal("7"))); // version 2: snapshot due, fails
            assertThat(r.isAccepted()).isTrue();
            stores.failSnapshotWrites.set(0);
            j.send(new Bank.Deposit(id, new BigDecimal("1")));
            j.send(new Bank.Deposit(id, new BigDecimal("1"))); // version 4: snapshot stored
            stores.failSnapshotReads.set(100);
            assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("110"))).isAccepted()).isFalse();
            assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("109"))).isAccepted()).isTrue();
        }
    }

    @Test
    @Tag("A9")
    @Tag("H8")
    @DisplayName("A9, H8: a rejected command commits nothing, even events posted before the rejection")
    void rejectionDiscardsPosted() {
        record PostThenReject(String aggregateId) implements Command {
        }
        final class Sloppy extends Aggregate {
            int applied;

            Sloppy(String id) {
                super(id);
            }

            @ValidateCommand
            CommandResponse decide(PostThenReject c) {
                post(new Bank.Deposited(BigDecimal.ONE));
                return CommandResponse.rejected("changed my mind");
            }

            @ReconstituteState
            void on(Bank.Deposited e) {
                applied++;
            }
        }
        try (Jangle j = Jangle.builder().environment(Map.of()).events(Bank.Evt.class)
                .aggregate(Sloppy.class, Sloppy::new).build()) {
            CommandResponse r = j.send(new PostThenReject("s-1"));
            assertThat(r.isAccepted()).isFalse();
            assertThat(r.rejectionReason()).isEqualTo("changed my mind");
            assertThat(j.stores().events().lastPosition()).isZero();
            assertThat(j.send(new PostThenReject("s-1")).token().version()).isZero();
        }
    }

    @Test
    @Tag("A3")
    @Tag("A4")
    @DisplayName("A3, A4: inherited methods are discovered; an empty reconstitutor still advances the version")
    void inheritedAndEmpty() {
        record Tick(String aggregateId) implements Command {
        }
        abstract class Base extends Aggregate {
            Base(String id) {
                super(id);
            }

            @ValidateCommand
            CommandResponse tick(Tick t, long nextVersion) {
                post(new Bank.Provisioned(String.valueOf(nextVersion)));
                return CommandResponse.accepted(nextVersion);
            }
        }
        final class Counter extends Base {
            Counter(String id) {
                super(id);
            }

            @ReconstituteState
            void on(Bank.Provisioned e) {
            }
        }
        try (Jangle j = Jangle.builder().environment(Map.of()).events(Bank.Evt.class)
                .aggregate(Counter.class, Counter::new).aggregateCacheSize(0).build()) {
            assertThat(j.send(new Tick("c")).acceptedData(Object.class)).isEqualTo(1L);
            assertThat(j.send(new Tick("c")).acceptedData(Object.class)).isEqualTo(2L);
            assertThat(j.send(new Tick("c")).token().version()).isEqualTo(3);
        }
    }
}
