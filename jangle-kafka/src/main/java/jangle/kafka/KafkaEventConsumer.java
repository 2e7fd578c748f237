package jangle.kafka;

import jangle.EventRecord;
import jangle.ExternalDelivery;
import jangle.Jangle;
import jangle.json.JsonCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds the topic's records, in a consumer group, into a Jangle application's handlers (projections, reactors,
 * sagas) through {@link jangle.Operations#externalDelivery()}; build that application with
 * {@code JangleBuilder.externallyDelivered()} so its own commits do not deliver the same events a second way.
 *
 * <p><b>Progress.</b> Offsets are committed (synchronously) only after every record of a poll was handled or dead
 * lettered, so a crash replays at most the uncommitted poll: delivery is at-least-once and handlers make repeats
 * harmless (versioned upserts, saga and command idempotence, D6).
 *
 * <p><b>Failures and dead letters.</b> Each handler gets up to {@code deadLetterAttempts} attempts per record, with
 * a doubling pause, holding its partition meanwhile (later events of the same aggregates wait: per-aggregate order).
 * A record that still fails is copied to the dead-letter topic with its key, value and headers plus
 * {@code jangle.dlq.handler}, {@code jangle.dlq.error}, {@code jangle.dlq.attempts} and the source
 * {@code jangle.dlq.source} ({@code topic-partition@offset}), and the partition moves on. A record that cannot be
 * decoded is dead lettered at once with handler {@code *}. Why a topic and not the store's dead-letter ledger: the
 * ledger keeps rows the commit wrote (D1), a relayed event has none on this node, and a topic is where Kafka
 * operators look and what their tools replay.
 */
public final class KafkaEventConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.kafka.consumer");

    private final ExternalDelivery delivery;
    private final EventRecordCodec codec;
    private final KafkaSettings settings;
    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> producerConfig;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean running;
    private volatile long lag;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    /**
     * @param extraConsumerConfig consumer settings added to Jangle's (for example a {@code group.instance.id});
     *                            manual offset commits are always kept
     */
    public KafkaEventConsumer(Jangle jangle, KafkaSettings settings, Map<String, Object> extraConsumerConfig) {
        Objects.requireNonNull(jangle, "jangle");
        this.delivery = jangle.operations().externalDelivery();
        this.codec = new EventRecordCodec(new JsonCodec(jangle.types()));
        this.settings = Objects.requireNonNull(settings, "settings");
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.batchSize());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) settings.sessionTimeout().toMillis() / 3);
        c.putAll(extraConsumerConfig == null ? Map.of() : extraConsumerConfig);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumerConfig = Map.copyOf(c);
        this.producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    }

    public KafkaEventConsumer(Jangle jangle, KafkaSettings settings) {
        this(jangle, settings, Map.of());
    }

    /** Records whose handlers all succeeded (counting repeats). */
    public long handledCount() {
        return handled.get();
    }

    /**
     * Records not yet fetched from the assigned partitions, summed, as the consumer last knew it after a poll (its own
     * fetch state, no broker call); 0 before the first poll. For a gauge, see docs/observability.md.
     */
    public long lag() {
        return lag;
    }

    /** (record, handler) pairs sent to the dead-letter topic. */
    public long deadLetterCount() {
        return deadLettered.get();
    }

    /** Subscribes and starts the polling thread. */
    public synchronized void start() {
        if (thread != null) return;
        running = true;
        thread = Thread.ofPlatform().name("jangle-kafka-consumer").daemon(true).start(this::loop);
    }

    private void loop() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig);
             KafkaProducer<String, byte[]> dlq = new KafkaProducer<>(producerConfig)) {
            consumer = c;
            c.subscribe(List.of(settings.topic()));
            LOG.atInfo().addKeyValue("point", "kafka.consumer.started").addKeyValue("topic", settings.topic())
                    .addKeyValue("group", settings.group()).log("Kafka consumer started");
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(settings.pollInterval());
                lag = currentLag(c);
                if (records.isEmpty()) continue;
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (!running) break;
                    handle(r, dlq);
                    done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (!done.isEmpty()) c.commitSync(done); // only what was handled or dead lettered
            }
        } catch (WakeupException e) {
            if (running) LOG.atError().addKeyValue("point", "kafka.consumer-failed").setCause(e).log("woken up");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("point", "kafka.consumer-failed").setCause(e)
                    .log("the Kafka consumer stopped; uncommitted records will be delivered again after a restart");
        } finally {
            consumer = null;
        }
    }

    /** The sum of the consumer's known lag over its assigned partitions (on the polling thread only). */
    private static long currentLag(KafkaConsumer<String, byte[]> c) {
        long sum = 0;
        for (TopicPartition tp : c.assignment()) sum += c.currentLag(tp).orElse(0);
        return sum;
    }

    /** Runs every subscribed handler on one record; dead letters the ones that keep failing. */
    private void handle(ConsumerRecord<String, byte[]> r, KafkaProducer<String, byte[]> dlq)
            throws InterruptedException {
        EventRecord<?> record;
        try {
            record = codec.fromConsumerRecord(r);
        } catch (RuntimeException e) {
            deadLetter(r, dlq, "*", e, 1);
            return;
        }
        for (String handler : delivery.handlerNames(record.type())) {
            Duration backoff = settings.retryBackoff();
            for (int attempt = 1; ; attempt++) {
                try {
                    delivery.deliver(record, handler);
                    break;
                } catch (RuntimeException e) {
                    if (attempt >= settings.deadLetterAttempts() || !running) {
                        if (!running) throw new InterruptedException("stopping; the record stays uncommitted");
                        deadLetter(r, dlq, handler, e, attempt);
                        break;
                    }
                    LOG.atWarn().addKeyValue("point", "kafka.handler-failed").addKeyValue("handler", handler)
                            .addKeyValue("eventId", record.eventId()).addKeyValue("attempt", attempt)
                            .addKeyValue("of", settings.deadLetterAttempts()).setCause(e)
                            .log("handler failed; it will be retried");
                    Thread.sleep(backoff);
                    backoff = RelayThreads.doubled(backoff);
                }
            }
        }
        handled.incrementAndGet();
    }

    private void deadLetter(ConsumerRecord<String, byte[]> r, KafkaProducer<String, byte[]> dlq, String handler,
                            RuntimeException error, int attempts) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(settings.deadLetterTopic(), null, r.key(),
                r.value());
        for (Header h : r.headers()) out.headers().add(h);
        EventRecordCodec.put(out.headers(), "jangle.dlq.handler", handler);
        EventRecordCodec.put(out.headers(), "jangle.dlq.error", error.getClass().getName() + ": " + error.getMessage());
        EventRecordCodec.put(out.headers(), "jangle.dlq.attempts", Integer.toString(attempts));
        EventRecordCodec.put(out.headers(), "jangle.dlq.source", r.topic() + "-" + r.partition() + "@" + r.offset());
        try {
            dlq.send(out).get(); // before the offset moves past the record
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        } catch (ExecutionException e) {
            throw new jangle.JangleException("cannot write the dead letter of " + r.topic() + "-" + r.partition()
                    + "@" + r.offset() + ": " + e.getCause().getMessage(), e.getCause());
        }
        deadLettered.incrementAndGet();
        LOG.atError().addKeyValue("point", "kafka.dead-lettered").addKeyValue("handler", handler)
                .addKeyValue("source", r.topic() + "-" + r.partition() + "@" + r.offset())
                .addKeyValue("attempts", attempts).setCause(error)
                .log("record failed for the last time; copied to the dead-letter topic " + settings.deadLetterTopic());
    }

    /** Stops polling; records not yet committed are delivered again to whoever next owns their partitions. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
        RelayThreads.join(t, Duration.ofSeconds(15));
    }
}
