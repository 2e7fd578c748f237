package jangle.kafka;

import jangle.Jangle;
import jangle.json.JsonCodec;
import jangle.jdbc.JdbcDatabase;
import jangle.spi.DeliveryStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Kafka relay against a real single-node KRaft broker (started once for the class) and real SQLite stores:
 * publish and consume with per-aggregate order, dead letters, crash and restart of both sides in child JVMs killed
 * with SIGKILL, and an independent client ({@code kcat}, when installed) reading the topic.
 */
class KafkaRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start(dir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
    }

    private static KafkaSettings settings(String topic) {
        return KafkaSettings.builder().bootstrapServers(broker.bootstrap()).topic(topic).group(topic + "-workers")
                .partitions(4).batchSize(50).deadLetterAttempts(3).retryBackoff(Duration.ofMillis(10))
                .pollInterval(Duration.ofMillis(20)).build();
    }

    /** One test's topic (created), store and read-model databases, and a command-side application on the store. */
    private record Fixture(JdbcDatabase store, JdbcDatabase views, Jangle command) implements AutoCloseable {
        Fixture(KafkaSettings s, String prefix) {
            this(open(s, prefix + "-store.db"), JdbcDatabase.sqlite(dir.resolve(prefix + "-views.db")), null);
        }

        Fixture {
            if (command == null) command = Tally.register(Jangle.builder()).stores(store.stores()).build();
        }

        private static JdbcDatabase open(KafkaSettings s, String file) {
            KafkaTopics.ensure(s);
            return JdbcDatabase.sqlite(dir.resolve(file));
        }

        @Override
        public void close() {
            command.close();
            views.close();
            store.close();
        }
    }

    private static KafkaEventPublisher publisher(Jangle command, KafkaSettings s, JdbcDatabase store) {
        return new KafkaEventPublisher(command.stores().events(), new JsonCodec(command.types()), s, cursor(store));
    }

    /** A worker: no stores of its own that matter, the read model fed only from Kafka. */
    private static Jangle worker(Tally.Totals totals) {
        Jangle worker = Tally.register(Jangle.builder()).externallyDelivered().projection(totals).build();
        worker.start();
        return worker;
    }

    private static PublisherCursor cursor(JdbcDatabase db) {
        return PublisherCursor.jdbc(w -> db.inTransaction(c -> { w.run(c); return null; }), "test");
    }

    /** Sends {@code n} additions spread over {@code tallies} tallies; returns tally → expected (version, total). */
    private static Map<String, Tally.Row> sendAdds(Jangle jangle, int n, int tallies, Map<String, Tally.Row> expected) {
        for (int i = 0; i < n; i++) {
            String id = "t" + (i % tallies);
            BigDecimal amount = new BigDecimal(i % 7 + 1 + ".25");
            assertThat(jangle.send(new Tally.Add(id, amount)).isAccepted()).isTrue();
            expected.merge(id, new Tally.Row(1, amount, 0),
                    (a, b) -> new Tally.Row(a.version() + 1, a.total().add(b.total()), 0));
        }
        return expected;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    private static boolean matches(Map<String, Tally.Row> expected, Map<String, Tally.Row> actual) {
        if (!actual.keySet().equals(expected.keySet())) return false;
        for (var e : expected.entrySet()) {
            Tally.Row a = actual.get(e.getKey());
            if (a.version() != e.getValue().version() || a.total().compareTo(e.getValue().total()) != 0) return false;
        }
        return true;
    }

    private static List<ConsumerRecord<String, byte[]>> readTopic(String topic, int atLeast) throws Exception {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String key) {
        var h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Per key, the version header of the first copy of each event must rise 1, 2, 3, … (repeats allowed later). */
    private static void assertPerAggregateOrder(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, Long> highest = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            assertThat(header(r, EventRecordCodec.AGGREGATE_ID)).isEqualTo(r.key());
            long v = Long.parseLong(header(r, EventRecordCodec.VERSION));
            long seen = highest.getOrDefault(r.key(), 0L);
            assertThat(v).as("version of %s after %s", r.key(), seen).isLessThanOrEqualTo(seen + 1);
            highest.put(r.key(), Math.max(seen, v));
        }
    }

    @Test
    @Tag("KF1")
    @Tag("KF2")
    @Tag("OB7")
    @DisplayName("KF1, KF2, OB7: committed events reach the read model through Kafka, keyed by aggregate, in version order; lag falls to zero")
    void roundTrip() throws Exception {
        KafkaSettings s = settings("round-trip");
        try (Fixture f = new Fixture(s, "rt")) {
            JdbcDatabase store = f.store();
            JdbcDatabase views = f.views();
            Jangle command = f.command();
            Map<String, Tally.Row> expected = sendAdds(command, 300, 7, new HashMap<>());
            try (KafkaEventPublisher publisher = publisher(command, s, store)) {
                assertThat(publisher.lag()).as("OB7: the relay's lag before publishing").isEqualTo(300);
                assertThat(publisher.publishAll()).isEqualTo(300);
                assertThat(publisher.lag()).as("OB7: caught up").isZero();
                assertThat(cursor(store).read()).isEqualTo(command.stores().events().lastPosition());
                assertThat(publisher.publishOnce()).as("a caught-up publisher sends nothing").isZero();
            }
            Tally.Totals totals = new Tally.Totals(views);
            Jangle worker = worker(totals);
            try (KafkaEventConsumer consumer = new KafkaEventConsumer(worker, s)) {
                consumer.start();
                await("the read model", () -> matches(expected, totals.rows()));
                assertThat(consumer.deadLetterCount()).isZero();
                await("OB7: the consumer's lag back to zero", () -> consumer.lag() == 0);
            } finally {
                worker.close();
                command.close();
            }
            assertThat(totals.rows().values()).allSatisfy(r -> assertThat(r.repeats()).isZero());
            List<ConsumerRecord<String, byte[]>> records = readTopic(s.topic(), 300);
            assertThat(records).hasSize(300);
            assertPerAggregateOrder(records);
            ConsumerRecord<String, byte[]> first = records.getFirst();
            assertThat(header(first, EventRecordCodec.TYPE)).isNotBlank();
            assertThat(header(first, EventRecordCodec.SCHEMA_VERSION)).isEqualTo("1");
            assertThat(header(first, EventRecordCodec.EVENT_ID)).hasSize(36);
            assertThat(header(first, EventRecordCodec.CORRELATION_ID)).hasSize(36);
            assertThat(new String(first.value(), StandardCharsets.UTF_8)).contains("\"amount\"");
        }
    }

    @Test
    @Tag("KF3")
    @DisplayName("KF3: with externallyDelivered the commit writes no delivery or checkpoint rows and the handlers run "
            + "only from Kafka")
    void externallyDeliveredWritesNoLedgerRows() {
        try (JdbcDatabase store = JdbcDatabase.sqlite(dir.resolve("ext-store.db"));
             JdbcDatabase views = JdbcDatabase.sqlite(dir.resolve("ext-views.db"))) {
            Tally.Totals totals = new Tally.Totals(views);
            Jangle app = Tally.register(Jangle.builder()).externallyDelivered().projection(totals)
                    .stores(store.stores()).build();
            app.start();
            try {
                assertThat(app.send(new Tally.Add("x", BigDecimal.ONE)).isAccepted()).isTrue();
                assertThat(app.stores().events().ledger().list(DeliveryStatus.PENDING, null, 10)).isEmpty();
                // no processor runs here (D17): no checkpoint rows, nothing handled from the store's feed
                assertThat(app.operations().processors()).isEmpty();
                assertThat(app.stores().events().checkpoints().all()).isEmpty();
                assertThat(totals.rows()).isEmpty();
                assertThat(app.operations().externalDelivery().handlerNames("Added")).containsExactly(Tally.Totals.NAME);
                var record = app.stores().events().readFeed(0, 1).getFirst();
                app.operations().externalDelivery().deliver(record, Tally.Totals.NAME);
                app.operations().externalDelivery().deliver(record, Tally.Totals.NAME);
                assertThat(totals.rows().get("x")).isEqualTo(new Tally.Row(1, BigDecimal.ONE, 1));
            } finally {
                app.close();
            }
        }
    }

    @Test
    @Tag("KF4")
    @DisplayName("KF4: a handler that keeps failing is retried N times, then the record goes to the dead-letter topic with the error; the partition moves on")
    void deadLetters() throws Exception {
        KafkaSettings s = settings("dead-letters");
        try (Fixture f = new Fixture(s, "dl")) {
            JdbcDatabase store = f.store();
            JdbcDatabase views = f.views();
            Jangle command = f.command();
            command.send(new Tally.Add("bad", BigDecimal.ONE));
            Map<String, Tally.Row> expected = sendAdds(command, 20, 2, new HashMap<>());
            try (KafkaEventPublisher publisher = publisher(command, s, store)) {
                publisher.publishAll();
            }
            Tally.Totals totals = new Tally.Totals(views);
            int[] attempts = {0};
            Jangle worker = Tally.register(Jangle.builder()).externallyDelivered().projection(totals)
                    .reactor("picky", Tally.Added.class, (r, ctx) -> {
                        if (r.aggregateId().equals("bad")) {
                            attempts[0]++;
                            throw new IllegalStateException("bad tally");
                        }
                    }).build();
            worker.start();
            try (KafkaEventConsumer consumer = new KafkaEventConsumer(worker, s)) {
                consumer.start();
                await("the read model", () -> totals.rows().keySet().containsAll(expected.keySet())
                        && matches(expected, withoutBad(totals.rows())));
                await("the dead letter", () -> consumer.deadLetterCount() == 1);
            } finally {
                worker.close();
                command.close();
            }
            assertThat(attempts[0]).isEqualTo(3);
            List<ConsumerRecord<String, byte[]>> dead = readTopic(s.deadLetterTopic(), 1);
            assertThat(dead).hasSize(1);
            assertThat(dead.getFirst().key()).isEqualTo("bad");
            assertThat(header(dead.getFirst(), "jangle.dlq.handler")).isEqualTo("picky");
            assertThat(header(dead.getFirst(), "jangle.dlq.error")).contains("bad tally");
            assertThat(header(dead.getFirst(), "jangle.dlq.attempts")).isEqualTo("3");
            assertThat(header(dead.getFirst(), EventRecordCodec.TYPE)).isEqualTo("Added");
        }
    }

    private static Map<String, Tally.Row> withoutBad(Map<String, Tally.Row> rows) {
        Map<String, Tally.Row> m = new HashMap<>(rows);
        m.remove("bad");
        return m;
    }

    @Test
    @Tag("KF6")
    @DisplayName("KF6: publisher and consumer killed with SIGKILL mid-stream and restarted: every committed event reaches the read model exactly once in effect, in order")
    void crashAndRestart() throws Exception {
        String topic = "crash";
        KafkaTopics.ensure(settings(topic));
        Path storeDb = dir.resolve("crash-store.db");
        Path viewsDb = dir.resolve("crash-views.db");
        Map<String, Tally.Row> expected = new HashMap<>();
        try (JdbcDatabase store = JdbcDatabase.sqlite(storeDb);
             JdbcDatabase views = JdbcDatabase.sqlite(viewsDb)) {
            Tally.Totals totals = new Tally.Totals(views);
            Jangle command = Tally.register(Jangle.builder()).stores(store.stores()).build();
            Process publisher = child("publisher", topic, storeDb);
            Process consumer = child("consumer", topic, viewsDb);
            try {
                sendAdds(command, 150, 10, expected);
                await("the relay running", () -> !totals.rows().isEmpty());
                sendAdds(command, 150, 10, expected);
                publisher.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL while it relays the new ones
                sendAdds(command, 300, 10, expected);
                publisher = child("publisher", topic, storeDb);
                await("the consumer busy again", () -> totals.rows().values().stream()
                        .mapToLong(Tally.Row::version).sum() > 300);
                consumer.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL while it consumes the backlog
                sendAdds(command, 200, 10, expected);
                consumer = child("consumer", topic, viewsDb);
                sendAdds(command, 200, 10, expected);
                await("every committed event in the read model", () -> matches(expected, totals.rows()));
            } finally {
                publisher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                consumer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                command.close();
            }
            assertThat(totals.rows()).hasSize(10);
            List<ConsumerRecord<String, byte[]>> records = readTopic(topic, 1000);
            assertThat(records.size()).as("every event at least once").isGreaterThanOrEqualTo(1000);
            assertPerAggregateOrder(records);
            long repeats = totals.rows().values().stream().mapToLong(Tally.Row::repeats).sum();
            System.out.printf("crash test: %d records in the topic for 1000 events, %d repeats absorbed%n",
                    records.size(), repeats);
        }
    }

    private static Process child(String role, String topic, Path db) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = dir.resolve(role + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KafkaNodeMain.class.getName(), role, broker.bootstrap(), topic, db.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await(role + " ready (log " + log + ")", () -> {
            try {
                return Files.exists(log) && Files.readString(log).contains("ready");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        return p;
    }

    @Test
    @Tag("KF8")
    @DisplayName("KF8: events/s through Kafka into a read model (a figure for docs/benchmarks.md, not a timing assertion)")
    void throughputFigure() throws Exception {
        String topic = "throughput";
        KafkaSettings s = KafkaSettings.builder().bootstrapServers(broker.bootstrap()).topic(topic)
                .group("throughput-workers").partitions(4).pollInterval(Duration.ofMillis(20)).build();
        KafkaTopics.ensure(s);
        int n = 5000;
        try (JdbcDatabase store = JdbcDatabase.sqlite(dir.resolve("tp-store.db"));
             JdbcDatabase views = JdbcDatabase.sqlite(dir.resolve("tp-views.db"))) {
            Jangle command = Tally.register(Jangle.builder()).stores(store.stores()).build();
            Map<String, Tally.Row> expected = sendAdds(command, n, 50, new HashMap<>());
            long t0 = System.nanoTime();
            try (KafkaEventPublisher publisher = publisher(command, s, store)) {
                assertThat(publisher.publishAll()).isEqualTo(n);
            }
            long published = System.nanoTime();
            Tally.Totals totals = new Tally.Totals(views);
            Jangle worker = worker(totals);
            long consumed;
            try (KafkaEventConsumer consumer = new KafkaEventConsumer(worker, s)) {
                consumer.start();
                await("the read model", () -> matches(expected, totals.rows()));
                consumed = System.nanoTime();
            } finally {
                worker.close();
                command.close();
            }
            System.out.printf("throughput: %d events published in %d ms (%.0f events/s); consumed into the read "
                            + "model in %d ms (%.0f events/s)%n", n, (published - t0) / 1_000_000,
                    n * 1e9 / (published - t0), (consumed - published) / 1_000_000, n * 1e9 / (consumed - published));
            assertThat(totals.rows()).hasSize(50);
        }
    }

    @Test
    @Tag("KF5")
    @DisplayName("KF5: a crash between Kafka's acknowledgement and the cursor write re-sends exactly that batch (the duplicate bound); the read model absorbs it")
    void crashBeforeCursorWriteResendsOneBatch() throws Exception {
        KafkaSettings s = settings("cursor-crash");
        try (Fixture f = new Fixture(s, "cc")) {
            JdbcDatabase store = f.store();
            JdbcDatabase views = f.views();
            Jangle command = f.command();
            Map<String, Tally.Row> expected = sendAdds(command, 120, 3, new HashMap<>());
            PublisherCursor real = cursor(store);
            PublisherCursor dying = new PublisherCursor() {
                @Override
                public long read() {
                    return real.read();
                }

                @Override
                public void advance(long position) {
                    throw new IllegalStateException("process died before the cursor write");
                }
            };
            try (KafkaEventPublisher first = new KafkaEventPublisher(command.stores().events(),
                    new JsonCodec(command.types()), s, dying)) {
                assertThatThrownBy(first::publishOnce).hasMessageContaining("cursor write");
            }
            assertThat(real.read()).isZero();
            try (KafkaEventPublisher restarted = publisher(command, s, store)) {
                assertThat(restarted.publishAll()).isEqualTo(120);
            }
            assertThat(readTopic(s.topic(), 170)).as("one batch of 50 twice, the rest once").hasSize(170);
            Tally.Totals totals = new Tally.Totals(views);
            Jangle worker = worker(totals);
            try (KafkaEventConsumer consumer = new KafkaEventConsumer(worker, s)) {
                consumer.start();
                await("the read model", () -> matches(expected, totals.rows())
                        && totals.rows().values().stream().mapToLong(Tally.Row::repeats).sum() == 50);
            } finally {
                worker.close();
                command.close();
            }
            assertThat(totals.rows().values().stream().mapToLong(Tally.Row::repeats).sum()).isEqualTo(50);
        }
    }

    @Test
    @Tag("KF7")
    @DisplayName("KF7: an independent client (kcat) reads the topic and sees well-formed records")
    void kcatReadsTheTopic() throws Exception {
        Path kcat = Path.of("/usr/bin/kcat");
        // CI installs kcat (.ci/run), so there a missing kcat fails the test instead of skipping it.
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(Files.isExecutable(kcat), "kcat is not installed (apt-get install kcat)");
        }
        String topic = "kcat";
        KafkaSettings s = settings(topic);
        KafkaTopics.ensure(s);
        try (JdbcDatabase store = JdbcDatabase.sqlite(dir.resolve("kcat-store.db"))) {
            Jangle command = Tally.register(Jangle.builder()).stores(store.stores()).build();
            command.send(new Tally.Add("k1", new BigDecimal("2.50")));
            try (KafkaEventPublisher publisher = publisher(command, s, store)) {
                publisher.publishAll();
            } finally {
                command.close();
            }
        }
        Process p = new ProcessBuilder(kcat.toString(), "-C", "-b", broker.bootstrap(), "-t", topic, "-o",
                "beginning", "-e", "-q", "-f", "%k|%h|%s\\n").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).startsWith("k1|").contains("jangle.type=Added").contains("jangle.version=1")
                .contains("jangle.position=1").contains("{\"tallyId\":\"k1\",\"amount\":\"2.50\"}");
    }
}
