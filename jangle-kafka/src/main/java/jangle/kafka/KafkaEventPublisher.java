package jangle.kafka;

import jangle.EventRecord;
import jangle.JangleException;
import jangle.json.JsonCodec;
import jangle.spi.EventStore;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Relays committed events from the store's global feed to the Kafka topic, keyed by aggregate id.
 *
 * <p><b>Why the feed and a cursor.</b> The feed holds only committed events, in position order, never skipping a
 * late commit (G1), so nothing uncommitted is ever published and nothing committed is passed over. One pass reads up
 * to {@code batchSize} events after the cursor, sends them with an idempotent producer ({@code acks=all}), flushes,
 * checks every acknowledgement and only then advances the durable {@link PublisherCursor}. A crash anywhere in the
 * pass leaves the cursor at the previous batch: the restart sends that batch again (at-least-once), so at most
 * {@code batchSize} events per crash reach the topic twice, each duplicate after its first copy in the same
 * partition; consumers make repeats harmless.
 *
 * <p><b>Order.</b> The key puts an aggregate's events in one partition; an idempotent producer keeps a partition's
 * records in send order across its own retries, and a failed send fails every later one of that partition, so the
 * first copy of each event appears in version order.
 *
 * <p>Run one publisher per topic (on one command node or as its own process); a second one only adds duplicates.
 */
public final class KafkaEventPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.kafka.publisher");

    private final EventStore events;
    private final EventRecordCodec codec;
    private final KafkaSettings settings;
    private final PublisherCursor cursor;
    private final Map<String, Object> producerConfig;
    private Producer<String, byte[]> producer;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param extraProducerConfig Kafka producer settings added to (and overriding) Jangle's; the safety settings
     *                            ({@code acks=all}, idempotence) are applied last and cannot be weakened
     */
    public KafkaEventPublisher(EventStore events, JsonCodec json, KafkaSettings settings, PublisherCursor cursor,
                               Map<String, Object> extraProducerConfig) {
        this.events = Objects.requireNonNull(events, "events");
        this.codec = new EventRecordCodec(json);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cursor = Objects.requireNonNull(cursor, "cursor");
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "jangle-publisher");
        c.putAll(extraProducerConfig == null ? Map.of() : extraProducerConfig);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5); // the most idempotence keeps in order
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producerConfig = Map.copyOf(c);
    }

    public KafkaEventPublisher(EventStore events, JsonCodec json, KafkaSettings settings, PublisherCursor cursor) {
        this(events, json, settings, cursor, Map.of());
    }

    /**
     * One pass: publishes up to {@code batchSize} events after the cursor and advances it. Returns how many were
     * published (0 when the feed is caught up). On a failure the cursor stays, the producer is replaced and the
     * exception is thrown; the next pass sends the batch again.
     */
    public synchronized int publishOnce() {
        long from = cursor.read();
        List<EventRecord<?>> batch = events.readFeed(from, settings.batchSize());
        if (batch.isEmpty()) return 0;
        Producer<String, byte[]> p = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        try {
            for (EventRecord<?> r : batch) acks.add(p.send(codec.toProducerRecord(settings.topic(), r)));
            p.flush();
            for (Future<RecordMetadata> f : acks) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            discardProducer();
            throw new JangleException("interrupted while publishing to Kafka", e);
        } catch (ExecutionException | RuntimeException e) {
            discardProducer(); // an idempotent producer that failed a send is not reused
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new JangleException("publishing positions " + (from + 1) + ".."
                    + batch.getLast().position() + " to Kafka failed: " + cause.getMessage(), cause);
        }
        long last = batch.getLast().position();
        cursor.advance(last);
        if (LOG.isDebugEnabled()) {
            LOG.atDebug().addKeyValue("point", "kafka.published").addKeyValue("count", batch.size())
                    .addKeyValue("position", last).log("published");
        }
        return batch.size();
    }

    /**
     * Committed events not yet published: the feed's last position minus the cursor (two store reads; for a gauge,
     * see docs/observability.md). Never negative.
     */
    public long lag() {
        return Math.max(0, events.lastPosition() - cursor.read());
    }

    /** Publishes until the feed is caught up; returns how many were published. */
    public int publishAll() {
        int total = 0;
        for (int n; (n = publishOnce()) > 0; ) total += n;
        return total;
    }

    /** Starts a background thread that publishes continuously, pausing {@code pollInterval} when idle. */
    public synchronized void start() {
        if (thread != null) return;
        running = true;
        thread = Thread.ofPlatform().name("jangle-kafka-publisher").daemon(true).start(this::loop);
        LOG.atInfo().addKeyValue("point", "kafka.publisher.started").addKeyValue("topic", settings.topic())
                .addKeyValue("cursor", cursor.read()).log("Kafka publisher started");
    }

    private void loop() {
        Duration backoff = settings.retryBackoff();
        while (running) {
            try {
                if (publishOnce() == 0) sleep(settings.pollInterval());
                backoff = settings.retryBackoff();
            } catch (RuntimeException e) {
                if (!running) break;
                LOG.atError().addKeyValue("point", "kafka.publish-failed").setCause(e)
                        .log("publishing failed; the batch will be sent again");
                sleep(backoff);
                backoff = RelayThreads.doubled(backoff);
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) producer = new KafkaProducer<>(producerConfig);
        return producer;
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException ignored) {
                // it is being replaced because it failed
            }
            producer = null;
        }
    }

    /** Stops the thread (the current pass finishes or fails) and closes the producer. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) t.interrupt();
        RelayThreads.join(t, Duration.ofSeconds(10));
        synchronized (this) {
            if (producer != null) producer.close(Duration.ofSeconds(5));
            producer = null;
            thread = null;
        }
    }
}
