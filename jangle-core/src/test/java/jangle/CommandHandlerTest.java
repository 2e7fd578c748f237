package jangle;

import jangle.spi.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandHandlerTest {
    private Jangle jangle;

    @AfterEach
    void close() {
        if (jangle != null) jangle.close();
    }

    private Jangle build(JangleBuilder b) {
        jangle = b.build();
        return jangle;
    }

    private static List<EventRecord<?>> stream(Jangle j, String id) {
        try (var s = j.stores().events().read(id, 0)) {
            return s.collect(Collectors.toList());
        }
    }

    private String open(Jangle j, String name) {
        return j.send(new Bank.Open(name)).acceptedData(String.class);
    }

    @Test
    @Tag("A6")
    @Tag("C1")
    @DisplayName("C1, A6, B-style creation: provisioning and the new stream commit together, new stream starts at 1")
    void creationAggregate() {
        Jangle j = build(Bank.builder());
        CommandResponse r = j.send(new Bank.Open("Ana"));
        assertThat(r.isAccepted()).isTrue();
        assertThat(r.acceptedData(Object.class)).isEqualTo("000001");
        // §3.1: the token carries the position of the last event committed, here the new account's first event
        assertThat(r.token()).isEqualTo(new ConsistencyToken(Bank.Creator.ID, 1, 2));
        assertThat(stream(j, Bank.Creator.ID)).extracting(EventRecord::version).containsExactly(1L);
        List<EventRecord<?>> account = stream(j, "000001");
        assertThat(account).hasSize(1);
        assertThat(account.get(0).version()).isEqualTo(1);
        assertThat(account.get(0).event()).isEqualTo(new Bank.Opened("000001", "Ana"));
        assertThat(open(j, "Bea")).isEqualTo("000002");
    }

    @Test
    @Tag("A1")
    @DisplayName("A1, §3.1: accepted, rejected and accepted no-op responses carry the consistency token")
    void responsesAndTokens() {
        Jangle j = build(Bank.builder());
        String id = open(j, "Ana");
        CommandResponse dep = j.send(new Bank.Deposit(id, new BigDecimal("10")));
        assertThat(dep.isAccepted()).isTrue();
        assertThat(dep.token().aggregateId()).isEqualTo(id);
        assertThat(dep.token().version()).isEqualTo(2);
        assertThat(dep.token().position()).isEqualTo(j.stores().events().lastPosition());
        CommandResponse no = j.send(new Bank.Withdraw(id, new BigDecimal("200")));
        assertThat(no.isAccepted()).isFalse();
        assertThat(no.rejectionReason()).isEqualTo("Insufficient funds");
        assertThat(no.token()).isEqualTo(dep.token());
        CommandResponse same = j.send(new Bank.Rename(id, "Ana"));
        assertThat(same.isAccepted()).isTrue();
        assertThat(same.token()).isEqualTo(dep.token());
        assertThat(stream(j, id)).hasSize(2);
    }

    @Test
    @Tag("A10")
    @DisplayName("A10: a validator that throws becomes AggregateException naming class, id and method; nothing committed")
    void validatorThrows() {
        Jangle j = build(Bank.builder());
        String id = open(j, "Ana");
        long before = j.stores().events().lastPosition();
        assertThatThrownBy(() -> j.send(new Bank.Explode(id)))
                .isInstanceOfSatisfying(AggregateException.class, e -> {
                    assertThat(e.aggregateId()).isEqualTo(id);
                    assertThat(e.aggregateClass()).isEqualTo(Bank.Account.class.getName());
                    assertThat(e.method()).contains("explode");
                    assertThat(e.getCause()).hasMessage("boom");
                });
        assertThat(j.stores().events().lastPosition()).isEqualTo(before);
    }

    @Test
    @DisplayName("§5 step 1: a command type with no route is MissingHandlerException")
    void noRoute() {
        record Stray(String aggregateId) implements Command {
        }
        Jangle j = build(Bank.builder());
        assertThatThrownBy(() -> j.send(new Stray("x"))).isInstanceOfSatisfying(MissingHandlerException.class,
                e -> assertThat(e.kind()).isEqualTo(MissingHandlerException.Kind.COMMAND_ROUTE));
    }

    @Test
    @Tag("E1")
    @Tag("E2")
    @DisplayName("E1, E2: committed events carry correlation id, causation = command id and the caller's entries")
    void metadata() {
        Jangle j = build(Bank.builder());
        String id = open(j, "Ana");
        UUID commandId = UUID.randomUUID();
        UUID correlation = UUID.randomUUID();
        j.send(new Bank.Deposit(id, BigDecimal.ONE), SendOptions.NONE.withCommandId(commandId)
                .withCorrelationId(correlation).withMetadata(Map.of("userId", "u-1")));
        EventRecord<?> last = stream(j, id).get(1);
        assertThat(last.metadata()).isEqualTo(new Metadata(correlation, commandId, Map.of("userId", "u-1")));
        UUID alone = UUID.randomUUID();
        j.send(new Bank.Deposit(id, BigDecimal.ONE), SendOptions.NONE.withCommandId(alone));
        EventRecord<?> third = stream(j, id).get(2);
        assertThat(third.metadata().correlationId()).isEqualTo(alone);
        assertThat(third.metadata().causationId()).isEqualTo(alone);
    }

    @Test
    @Tag("E4")
    @DisplayName("E4: metadata keys and values are checked")
    void metadataRules() {
        assertThatThrownBy(() -> SendOptions.NONE.withMetadata(Map.of("bad key", "v")))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("bad key");
        assertThatThrownBy(() -> SendOptions.NONE.withMetadata(Map.of("k", "x".repeat(1025))))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("1024");
    }

    @Test
    @DisplayName("§2: createdAt comes from the injected clock, truncated to microseconds, UTC")
    void createdAtFromClock() {
        Instant at = Instant.parse("2026-03-01T10:15:30.123456789Z");
        Jangle j = build(Bank.builder().clock(java.time.Clock.fixed(at, ZoneOffset.UTC)));
        String id = open(j, "Ana");
        assertThat(stream(j, id).get(0).createdAt()).isEqualTo(Instant.parse("2026-03-01T10:15:30.123456Z"));
    }

    @Test
    @Tag("CA2")
    @DisplayName("CA2: expected version rejects without validating, with the found version in the token")
    void expectedVersion() {
        Jangle j = build(Bank.builder());
        String id = open(j, "Ana");
        CommandResponse wrong = j.send(new Bank.Explode(id), SendOptions.expectVersion(5));
        assertThat(wrong.isAccepted()).isFalse();
        assertThat(wrong.rejectionReason()).isEqualTo("Expected version 5 but found 1");
        assertThat(wrong.token().version()).isEqualTo(1);
        assertThat(wrong.token().entityTag()).isEqualTo("\"" + id + ":1\"");
        assertThat(j.send(new Bank.Deposit(id, BigDecimal.ONE), SendOptions.expectVersion(1)).isAccepted()).isTrue();
    }

    @Test
    @Tag("CA2")
    @DisplayName("CA2: ExpectedVersion.noStream() accepts only an aggregate without events; exact versions start at 1")
    void expectedNoStream() {
        Jangle j = build(Bank.builder());
        SendOptions fresh = SendOptions.NONE.withExpectedVersion(ExpectedVersion.noStream());
        String id = j.send(new Bank.Open("Ana"), fresh).acceptedData(String.class);
        CommandResponse again = j.send(new Bank.Deposit(id, BigDecimal.ONE), fresh);
        assertThat(again).isInstanceOf(CommandResponse.Rejected.class);
        assertThat(again.rejectionReason()).isEqualTo("Expected no events but found version 1");
        assertThat(j.send(new Bank.Deposit(id, BigDecimal.ONE), SendOptions.NONE.withExpectedVersion(
                ExpectedVersion.any()))).isInstanceOf(CommandResponse.Accepted.class);
        assertThatThrownBy(() -> SendOptions.expectVersion(0)).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("noStream()");
        assertThatThrownBy(() -> SendOptions.NONE.withExpectedVersion(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("ExpectedVersion.any()");
    }

    @Test
    @Tag("S1")
    @Tag("S2")
    @DisplayName("S1, S2: snapshots at every multiple of the frequency, own versions only, even when a command "
            + "posts several events")
    void snapshotCadence() {
        Jangle k = build(Jangle.builder().environment(Map.of()).commands(Bank.Cmd.class).events(Bank.Evt.class)
                .aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, id -> new Bank.Account(id, 3)).aggregateCacheSize(0));
        String id = open(k, "Ana");
        for (int i = 0; i < 4; i++) k.send(new Bank.Deposit(id, BigDecimal.ONE));
        Optional<Snapshot> snap = k.stores().snapshots().get(id, Bank.Account.State.class,
                snapshotFingerprint(k, id));
        assertThat(snap).isPresent();
        assertThat(snap.get().version()).isEqualTo(3);
        assertThat(snap.get().state()).isEqualTo(new Bank.Account.State(true, "Ana", new BigDecimal("2")));
        k.send(new Bank.Deposit(id, BigDecimal.ONE)); // version 6
        assertThat(k.stores().snapshots().get(id, Bank.Account.State.class, snapshotFingerprint(k, id))
                .orElseThrow().version()).isEqualTo(6);
    }

    private static String snapshotFingerprint(Jangle j, String id) {
        return Fingerprints.of(Bank.Account.class, Bank.Account.State.class) + "-v1";
    }

    @Test
    @Tag("C3")
    @Tag("S7")
    @DisplayName("C3, S7: the creation aggregate snapshots an empty record every 10 versions")
    void creationSnapshots() {
        Jangle j = build(Bank.builder().aggregateCacheSize(0));
        for (int i = 0; i < 25; i++) open(j, "n" + i);
        Snapshot s = j.stores().snapshots().get(Bank.Creator.ID, Bank.Creator.State.class,
                Fingerprints.of(Bank.Creator.class, Bank.Creator.State.class) + "-v1").orElseThrow();
        assertThat(s.version()).isEqualTo(20);
        assertThat(s.state()).isEqualTo(new Bank.Creator.State());
        assertThat(open(j, "last")).isEqualTo("000026");
    }

    @Test
    @Tag("S3")
    @DisplayName("S3: a snapshot with another fingerprint is ignored, deleted, and the aggregate rebuilt from events")
    void staleFingerprint() {
        Jangle j = build(Bank.builder(1_000).aggregateCacheSize(0)); // snapshots on: read at rebuild
        String id = open(j, "Ana");
        j.send(new Bank.Deposit(id, new BigDecimal("5")));
        j.stores().snapshots().put(new Snapshot(id, 2, 0, "old-code", new Bank.Account.State(true, "X",
                new BigDecimal("999"))));
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("106"))).rejectionReason()).isEqualTo("Insufficient funds");
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("105"))).isAccepted()).isTrue();
        assertThat(j.stores().snapshots().get(id, Bank.Account.State.class, "old-code")).isEmpty();
    }

    @Test
    @Tag("S4")
    @DisplayName("S4: a snapshot ahead of the stream is ignored and deleted")
    void snapshotAhead() {
        Jangle j = build(Bank.builder(1_000).aggregateCacheSize(0)); // snapshots on: read at rebuild
        String id = open(j, "Ana");
        String fp = Fingerprints.of(Bank.Account.class, Bank.Account.State.class) + "-v1";
        j.stores().snapshots().put(new Snapshot(id, 50, 0, fp, new Bank.Account.State(true, "X",
                new BigDecimal("999"))));
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("101"))).rejectionReason()).isEqualTo("Insufficient funds");
        assertThat(j.stores().snapshots().get(id, Bank.Account.State.class, fp)).isEmpty();
    }

    @Test
    @Tag("S5")
    @DisplayName("S5: a snapshot that fails to apply is deleted and the command goes on from events")
    void snapshotApplyFails() {
        Jangle j = build(Bank.builder(1_000).aggregateCacheSize(0)); // snapshots on: read at rebuild
        String id = open(j, "Ana");
        String fp = Fingerprints.of(Bank.Account.class, Bank.Account.State.class) + "-v1";
        j.stores().snapshots().put(new Snapshot(id, 1, 0, fp, new Bank.Account.State(true, "X", null)));
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("101"))).rejectionReason()).isEqualTo("Insufficient funds");
        assertThat(j.send(new Bank.Deposit(id, BigDecimal.ONE)).isAccepted()).isTrue();
        assertThat(j.stores().snapshots().get(id, Bank.Account.State.class, fp)).isEmpty();
    }

    @Test
    @Tag("CR3")
    @DisplayName("CR3: two applications in one JVM do not see each other")
    void twoApplications() {
        try (Jangle a = Bank.builder().build(); Jangle b = Bank.builder().build()) {
            a.send(new Bank.Open("Ana"));
            a.send(new Bank.Open("Bea"));
            assertThat(b.send(new Bank.Open("Cy")).acceptedData(Object.class)).isEqualTo("000001");
            assertThat(a.stores().events().lastPosition()).isEqualTo(4);
            assertThat(b.stores().events().lastPosition()).isEqualTo(2);
        }
    }

    @Test
    @Tag("A8")
    @DisplayName("A8: an event with no reconstitutor fails rehydration naming class, type and event id")
    void missingReconstitutor() {
        String id = "000001";
        UUID eventId = UUID.randomUUID();
        AggregateHarness<Bank.Account> h = AggregateHarness.of(Bank.Account.class, Bank.Account::new,
                java.time.Clock.systemUTC());
        EventRecord<Bank.Provisioned> record = new EventRecord<>(eventId, id, 2, "Provisioned", 1, Instant.now(), 2,
                Metadata.of(UUID.randomUUID()), new Bank.Provisioned("x"));
        assertThatThrownBy(() -> h.rehydrate(id, List.of(record)))
                .isInstanceOf(MissingHandlerException.class)
                .hasMessageContaining(Bank.Account.class.getName())
                .hasMessageContaining("Provisioned")
                .hasMessageContaining(eventId.toString());
    }
}
