package jangle.jdbc;

import jangle.EventRecord;
import jangle.spi.DeliveryStatus;
import jangle.spi.EventStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill test of issue 3: a child JVM appends in a loop and is killed with SIGKILL mid-run; after reopening, every
 * acknowledged event is present, none twice, versions are gapless, and the appends wrote nothing but events (D1, ST3):
 * processors follow the feed, so there is no per-event dispatch row that a kill could leave half-written.
 */
abstract class KillTestCases {
    /** The argument the child opens the database with (a file path or a JDBC URL). */
    protected abstract String target() throws Exception;

    /** Reopens the database the child wrote. */
    protected abstract JdbcDatabase reopen() throws Exception;

    @Test
    @Tag("D1")
    @Tag("ST3")
    @DisplayName("D1/ST3/issue 3: after SIGKILL mid-append, acknowledged events are all there, gapless, and only events")
    void killedWriterLosesNothingAcknowledged() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
                KillChild.class.getName(), target());
        Path errors = Files.createTempFile("kill-child", ".err");
        pb.redirectError(errors.toFile());
        Process child = pb.start();
        List<String[]> acks = new CopyOnWriteArrayList<>();
        CountDownLatch enough = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("ACK ")) {
                        acks.add(line.split(" "));
                        if (acks.size() >= 400) enough.countDown();
                    }
                }
            } catch (Exception ignored) {
                // the child was killed
            }
        });
        reader.start();
        try {
            boolean done = enough.await(90, TimeUnit.SECONDS);
            if (!done) child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertThat(done).as("child acknowledged 400 appends; its stderr: %s",
                    Files.readString(errors)).isTrue();
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no rollback by the child
            child.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        List<String[]> acknowledged = new ArrayList<>(acks);

        try (JdbcDatabase db = reopen()) {
            EventStore store = TestEvents.open(db, 500).events();
            Map<UUID, EventRecord<?>> all = new HashMap<>();
            long after = 0;
            while (true) {
                List<EventRecord<?>> page = store.readFeed(after, 500);
                if (page.isEmpty()) break;
                for (EventRecord<?> r : page) {
                    assertThat(all.put(r.eventId(), r)).as("event %s present once", r.eventId()).isNull();
                }
                after = page.get(page.size() - 1).position();
            }
            for (String[] ack : acknowledged) {
                EventRecord<?> r = all.get(UUID.fromString(ack[3]));
                assertThat(r).as("acknowledged event %s of %s v%s", ack[3], ack[1], ack[2]).isNotNull();
                assertThat(r.aggregateId()).isEqualTo(ack[1]);
                assertThat(r.version()).isEqualTo(Long.parseLong(ack[2]));
            }
            Map<String, List<Long>> versions = new HashMap<>();
            for (EventRecord<?> r : all.values()) {
                versions.computeIfAbsent(r.aggregateId(), k -> new ArrayList<>()).add(r.version());
            }
            for (var e : versions.entrySet()) {
                List<Long> v = e.getValue();
                v.sort(Long::compare);
                for (int i = 0; i < v.size(); i++) assertThat(v.get(i)).as(e.getKey()).isEqualTo(i + 1L);
            }
            assertThat(store.ledger().list(DeliveryStatus.PENDING, null, 100_000)).as("D1: appends park nothing")
                    .isEmpty();
            assertThat(all.size()).isGreaterThanOrEqualTo(acknowledged.size());
        }
    }
}
