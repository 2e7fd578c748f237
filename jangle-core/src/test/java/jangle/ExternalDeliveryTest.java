package jangle;

import jangle.DispatchFixtures.Add;
import jangle.DispatchFixtures.Added;
import jangle.DispatchFixtures.Recorder;
import jangle.spi.DeliveryStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounded hook for transports (jangle-kafka): externallyDelivered() and Jangle.operations().externalDelivery(). */
class ExternalDeliveryTest {
    @Test
    @Tag("KF3")
    @DisplayName("KF3: externallyDelivered writes no delivery rows and never runs handlers locally; externalDelivery runs one")
    void externalOnly() {
        Recorder<Added> rec = new Recorder<>();
        try (Jangle j = DispatchFixtures.builder(Clock.systemUTC()).reactor("rec", Added.class, rec)
                .externallyDelivered().build()) {
            j.start();
            assertThat(j.send(new Add("c1", 3)).isAccepted()).isTrue();
            j.operations().runCatchUpPass();
            assertThat(j.stores().events().ledger().list(DeliveryStatus.PENDING, null, 10)).isEmpty();
            assertThat(rec.calls).hasValue(0);

            EventRecord<?> record = j.stores().events().readFeed(0, 1).getFirst();
            assertThat(j.operations().externalDelivery().handlerNames(record.type())).containsExactly("rec");
            j.operations().externalDelivery().deliver(record, "rec");
            assertThat(rec.seen).containsExactly(record.eventId());
            assertThatThrownBy(() -> j.operations().externalDelivery().deliver(record, "nobody"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nobody");
        }
    }

    @Test
    @Tag("KF3")
    @DisplayName("KF3: a failing handler's error reaches the transport, which owns retries and dead letters")
    void failuresAreThrown() {
        Recorder<Added> failing = new Recorder<>(1);
        try (Jangle j = DispatchFixtures.builder(Clock.systemUTC()).reactor("flaky", Added.class, failing)
                .externallyDelivered().build()) {
            j.send(new Add("c1", 1));
            EventRecord<?> record = j.stores().events().readFeed(0, 1).getFirst();
            assertThatThrownBy(() -> j.operations().externalDelivery().deliver(record, "flaky")).isInstanceOf(RuntimeException.class);
            j.operations().externalDelivery().deliver(record, "flaky");
            assertThat(failing.calls).hasValue(2);
        }
    }

    @Test
    @Tag("D17")
    @Tag("KF3")
    @DisplayName("KF3, D17: without externallyDelivered each handler runs as a processor with stored checkpoints")
    void defaultKeepsLedger() {
        Recorder<Added> rec = new Recorder<>();
        try (Jangle j = DispatchFixtures.builder(Clock.systemUTC()).reactor("rec", Added.class, rec).build()) {
            j.start();
            CommandResponse r = j.send(new Add("c1", 1));
            j.awaitHandled(r.token(), java.time.Duration.ofSeconds(20), "rec");
            assertThat(j.operations().processors()).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.processor()).isEqualTo("rec"));
            assertThat(rec.calls.get()).isEqualTo(1);
        }
    }
}
