package jangle.kafka;

import jangle.ConfigurationException;
import jangle.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how committed events travel through Kafka. Each value comes from the {@link Builder}, else from its
 * {@code JANGLE_KAFKA_*} environment variable, else the default (the same precedence as the core settings, §14).
 *
 * @param bootstrapServers    {@code JANGLE_KAFKA_BOOTSTRAP}, required: the user's brokers, {@code host:port,...}
 * @param topic               {@code JANGLE_KAFKA_TOPIC}, default {@code jangle.events}
 * @param group               {@code JANGLE_KAFKA_GROUP}, default {@code jangle-workers}: the consumer group
 * @param partitions          {@code JANGLE_KAFKA_PARTITIONS}, default 6: used when the publisher creates the topic
 * @param replicationFactor   {@code JANGLE_KAFKA_REPLICATION}, default 1: used when the publisher creates the topic
 * @param batchSize           {@code JANGLE_KAFKA_BATCH_SIZE}, default 500: feed records per publish batch and
 *                            records per consumer poll; also the bound on duplicates after a publisher crash
 * @param deadLetterAttempts  {@code JANGLE_KAFKA_DEAD_LETTER_ATTEMPTS}, default 5: attempts of one handler on one
 *                            record before it goes to the dead-letter topic
 * @param retryBackoff        {@code JANGLE_KAFKA_RETRY_BACKOFF}, default 200ms: first pause between attempts, doubled
 *                            up to 5 s
 * @param pollInterval        {@code JANGLE_KAFKA_POLL_INTERVAL}, default 100ms: publisher pause when the feed is idle,
 *                            consumer poll timeout
 * @param deadLetterTopic     {@code JANGLE_KAFKA_DLQ_TOPIC}, default {@code <topic>.dlq}
 * @param sessionTimeout      {@code JANGLE_KAFKA_SESSION_TIMEOUT}, default 45s (Kafka's own): how long the group
 *                            waits for a silent consumer before its partitions move to the others, i.e. how long a
 *                            SIGKILLed worker's share of the topic stands still. The broker accepts 6s to 30min by
 *                            default ({@code group.min/max.session.timeout.ms}); heartbeats go every third of it
 */
public record KafkaSettings(String bootstrapServers, String topic, String group, int partitions,
                            short replicationFactor, int batchSize, int deadLetterAttempts, Duration retryBackoff,
                            Duration pollInterval, String deadLetterTopic, Duration sessionTimeout) {
    /** Setting name → environment variable. */
    public static final Map<String, String> ENVIRONMENT_VARIABLES = Map.ofEntries(
            Map.entry("bootstrapServers", "JANGLE_KAFKA_BOOTSTRAP"), Map.entry("topic", "JANGLE_KAFKA_TOPIC"),
            Map.entry("group", "JANGLE_KAFKA_GROUP"), Map.entry("partitions", "JANGLE_KAFKA_PARTITIONS"),
            Map.entry("replicationFactor", "JANGLE_KAFKA_REPLICATION"),
            Map.entry("batchSize", "JANGLE_KAFKA_BATCH_SIZE"),
            Map.entry("deadLetterAttempts", "JANGLE_KAFKA_DEAD_LETTER_ATTEMPTS"),
            Map.entry("retryBackoff", "JANGLE_KAFKA_RETRY_BACKOFF"),
            Map.entry("pollInterval", "JANGLE_KAFKA_POLL_INTERVAL"),
            Map.entry("deadLetterTopic", "JANGLE_KAFKA_DLQ_TOPIC"),
            Map.entry("sessionTimeout", "JANGLE_KAFKA_SESSION_TIMEOUT"));

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The settings from environment variables only. */
    public static KafkaSettings fromEnvironment(Map<String, String> environment) {
        return builder().environment(environment).build();
    }

    /** Builder values win over the environment, which wins over the defaults; every bad value is reported at once. */
    public static final class Builder {
        private final Map<String, String> explicit = new LinkedHashMap<>();
        private Map<String, String> environment = Map.of();

        private Builder() {
        }

        /** Where {@code JANGLE_KAFKA_*} are read (default: none; pass {@link System#getenv()} for the process). */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        public Builder bootstrapServers(String v) { return put("bootstrapServers", v); }

        public Builder topic(String v) { return put("topic", v); }

        public Builder group(String v) { return put("group", v); }

        public Builder partitions(int v) { return put("partitions", Integer.toString(v)); }

        public Builder replicationFactor(int v) { return put("replicationFactor", Integer.toString(v)); }

        public Builder batchSize(int v) { return put("batchSize", Integer.toString(v)); }

        public Builder deadLetterAttempts(int v) { return put("deadLetterAttempts", Integer.toString(v)); }

        public Builder retryBackoff(Duration v) { return put("retryBackoff", v.toMillis() + "ms"); }

        public Builder pollInterval(Duration v) { return put("pollInterval", v.toMillis() + "ms"); }

        public Builder deadLetterTopic(String v) { return put("deadLetterTopic", v); }

        public Builder sessionTimeout(Duration v) { return put("sessionTimeout", v.toMillis() + "ms"); }

        private Builder put(String name, String value) {
            explicit.put(name, Objects.requireNonNull(value, name));
            return this;
        }

        /** @throws ConfigurationException naming every missing or bad value with its variable */
        public KafkaSettings build() {
            List<String> problems = new ArrayList<>();
            String bootstrap = text("bootstrapServers", null, problems);
            String topic = text("topic", "jangle.events", problems);
            String group = text("group", "jangle-workers", problems);
            int partitions = positive("partitions", 6, problems);
            int replication = positive("replicationFactor", 1, problems);
            int batch = positive("batchSize", 500, problems);
            int attempts = positive("deadLetterAttempts", 5, problems);
            Duration backoff = duration("retryBackoff", Duration.ofMillis(200), problems);
            Duration poll = duration("pollInterval", Duration.ofMillis(100), problems);
            String dlq = text("deadLetterTopic", topic == null ? "jangle.events.dlq" : topic + ".dlq", problems);
            Duration session = duration("sessionTimeout", Duration.ofSeconds(45), problems);
            if (replication > Short.MAX_VALUE) problems.add("JANGLE_KAFKA_REPLICATION is too large: " + replication);
            if (session.toMillis() < 1_000 || session.toMillis() > Integer.MAX_VALUE) {
                problems.add("JANGLE_KAFKA_SESSION_TIMEOUT must be at least 1s and at most " + Integer.MAX_VALUE
                        + "ms (the broker's own minimum is group.min.session.timeout.ms, 6s by default), was "
                        + session.toMillis() + "ms");
            }
            if (!problems.isEmpty()) throw new ConfigurationException(problems);
            return new KafkaSettings(bootstrap, topic, group, partitions, (short) replication, batch, attempts,
                    backoff, poll, dlq, session);
        }

        private String raw(String name) {
            String v = explicit.get(name);
            if (v == null) v = environment.get(ENVIRONMENT_VARIABLES.get(name));
            return v == null || v.isBlank() ? null : v.trim();
        }

        private String text(String name, String fallback, List<String> problems) {
            String v = raw(name);
            if (v != null) return v;
            if (fallback == null) {
                problems.add(ENVIRONMENT_VARIABLES.get(name) + " (or KafkaSettings.Builder." + name + ") is required");
            }
            return fallback;
        }

        private int positive(String name, int fallback, List<String> problems) {
            String v = raw(name);
            if (v == null) return fallback;
            try {
                int n = Integer.parseInt(v);
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            problems.add(ENVIRONMENT_VARIABLES.get(name) + " must be a positive whole number, was '" + v + "'");
            return fallback;
        }

        private Duration duration(String name, Duration fallback, List<String> problems) {
            String v = raw(name);
            if (v == null) return fallback;
            try {
                return Durations.parse(v); // K1: the grammar of every Jangle setting
            } catch (IllegalArgumentException e) {
                problems.add(ENVIRONMENT_VARIABLES.get(name) + " must be a duration: " + e.getMessage());
                return fallback;
            }
        }
    }
}
