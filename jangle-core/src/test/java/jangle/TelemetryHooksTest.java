package jangle;

import jangle.DispatchFixtures.MutableClock;
import jangle.SagaFixtures.Approved;
import jangle.SagaFixtures.Audited;
import jangle.SagaFixtures.Control;
import jangle.SagaFixtures.Declined;
import jangle.SagaFixtures.Requested;
import jangle.SagaFixtures.TransferSaga;
import jangle.SagaFixtures.TxEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OB6 (docs/observability.md): the core calls the telemetry hooks and carries a command's propagation entries into
 * its events' metadata, so a saga step run later by the daemon (no event at hand) gets the routed event's entries.
 */
class TelemetryHooksTest {
    private static final Duration RETRY = Duration.ofMinutes(5);
    private final MutableClock clock = new MutableClock();
    private final Control control = new Control();
    private final Recording telemetry = new Recording();
    private Jangle jangle;

    @AfterEach
    void close() {
        if (jangle != null) jangle.close();
    }

    /** Gives every command a numbered marker to propagate and records what the hooks saw. */
    static final class Recording implements Telemetry {
        final AtomicInteger commands = new AtomicInteger();
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final List<Metadata> stepSources = Collections.synchronizedList(new ArrayList<>());

        @Override
        public CommandActivity command(Command command, Class<?> aggregateType, Metadata metadata) {
            String marker = "c" + commands.incrementAndGet();
            calls.add("command " + command.getClass().getSimpleName() + " " + marker);
            return new CommandActivity() {
                @Override
                public Map<String, String> propagation() {
                    return Map.of("traceparent", marker);
                }

                @Override
                public void outcome(String outcome) {
                    calls.add("outcome " + marker + " " + outcome);
                }

                @Override
                public Activity append(String aggregateId, int events) {
                    calls.add("append " + aggregateId + " " + events);
                    return Activity.NONE;
                }
            };
        }

        @Override
        public Activity handler(String handler, EventRecord<?> record) {
            calls.add("handler " + handler + " " + record.metadata().entries().get("traceparent"));
            return Activity.NONE;
        }

        @Override
        public Activity sagaStep(String sagaType, String sagaId, String receiver, Metadata source) {
            stepSources.add(source);
            calls.add("step " + receiver + " " + (source == null ? null : source.entries().get("traceparent")));
            return new Activity() {
                @Override
                public void failed(Throwable error) {
                    calls.add("step-failed " + receiver);
                }
            };
        }
    }

    private JangleBuilder builder() {
        return DispatchFixtures.builder(clock).processorSegments(1).sagaRetryInterval(RETRY).commands(SagaJangleTest.DeskCmd.class)
                .events(TxEvent.class).aggregate(SagaJangleTest.Desk.class, SagaJangleTest.Desk::new)
                .telemetry(telemetry)
                .saga(TransferSaga.class, id -> new TransferSaga(id, control), routes -> routes
                        .on(Requested.class, e -> "tx-" + e.tx())
                        .on(Approved.class, e -> "tx-" + e.tx())
                        .on(Declined.class, e -> "tx-" + e.tx())
                        .on(Audited.class, e -> "tx-" + e.tx()));
    }

    @Test
    @Tag("OB6")
    @DisplayName("OB6: events carry the command's propagation entries; handlers and a daemon retry step receive them")
    void propagationReachesHandlersAndDaemonSteps() {
        jangle = builder().build();
        jangle.start();
        UUID corr = UUID.randomUUID();
        control.failBeforeCredit.set(1); // the step of Approved fails once, so the daemon retries it later
        jangle.send(new SagaJangleTest.Request("2", "acc-7", 3), SendOptions.NONE.withCorrelationId(corr));
        jangle.send(new SagaJangleTest.Approve("2"), SendOptions.NONE.withCorrelationId(corr));
        jangle.awaitSettled(corr, Duration.ofSeconds(20));

        EventRecord<?> approved = DispatchFixtures.last(jangle, "approvals-2");
        assertThat(approved.metadata().entries()).containsEntry("traceparent", "c2");
        assertThat(telemetry.calls).contains("command Request c1", "outcome c1 accepted", "append desk-2 1",
                "command Approve c2", "outcome c2 accepted", "handler saga:TransferSaga c1",
                "handler saga:TransferSaga c2", "step approved c2", "step-failed approved");

        clock.advance(RETRY);
        telemetry.stepSources.clear();
        assertThat(jangle.operations().runSagaDaemonPass()).isEqualTo(1);
        // the retry has no event: its source is the saga's latest routed event, read back from the store
        assertThat(telemetry.stepSources).isNotEmpty().allSatisfy(m -> assertThat(m).isNotNull());
        assertThat(telemetry.stepSources.get(telemetry.stepSources.size() - 1).entries())
                .containsEntry("traceparent", "c2");
        // the credit the retry sent is a new command with its own marker, not the inherited one
        EventRecord<?> credit = DispatchFixtures.last(jangle, "acc-7");
        assertThat(credit.metadata().entries().get("traceparent")).isNotEqualTo("c2").startsWith("c");
    }
}
