package jangle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Effective settings of one application (§14). Each comes from the builder, else from its {@code JANGLE_*}
 * environment variable, else the default; read once at {@code build()}, never when a class is loaded.
 *
 * <p>Only the engine's own settings live here. Database settings ({@code JANGLE_DB_URL}, {@code JANGLE_DB_PATH},
 * {@code JANGLE_DB_USER}, {@code JANGLE_DB_PASSWORD}) belong to whoever opens the store (the bank's
 * {@code BankingConfig}, with {@code jangle.jdbc.JdbcUrls} to show a URL without its password), and the log format
 * ({@code JANGLE_LOG_FORMAT}) to the application's logging set-up: the core opens no database and configures no
 * logging, so it holds no secret.
 */
public record Settings(int batchSize, int dispatchHandoffSize, int processorSegments,
                       Duration failedEventsRetryInterval, Duration failedEventsMaxAge, int deadLetterAttempts,
                       Duration sagaRetryInterval, int commandMaxAttempts, Duration commandBackoffBase,
                       Duration commandBackoffMax, int aggregateCacheSize, int replayBatchSize, String nodeId,
                       int processorBatchSize, Duration processorLease, int handlerAttempts,
                       Duration processorPollInterval, jangle.spi.Checkpoints.Start processorStart,
                       CacheCheck aggregateCacheCheck, Duration processorBatchLinger, boolean commandSharing,
                       Duration commandSharingLinger, Duration commandSharingWindow) {

    /**
     * How a command confirms that a cached aggregate (H7) is still the store's latest state.
     */
    public enum CacheCheck {
        /** Read the events after the cached version before every decision: one read per command. */
        READ,
        /**
         * Decide on the cached aggregate and let the append's version check (ST4) confirm an accepting decision; a
         * decision the append cannot confirm (a rejection, an expected-version mismatch, no event of the command's
         * own aggregate) is confirmed by the read first. A stale entry costs one refused append and that read, and
         * is not counted as an attempt. The default: on a node that writes its aggregates alone it saves a read per
         * command; where several nodes write the same aggregates all the time, {@code READ} refuses fewer appends.
         */
        APPEND
    }

    /** Setting name → environment variable. */
    public static final Map<String, String> ENVIRONMENT_VARIABLES;

    static {
        var m = new LinkedHashMap<String, String>();
        m.put("batchSize", "JANGLE_BATCH_SIZE");
        m.put("dispatchHandoffSize", "JANGLE_DISPATCH_HANDOFF_SIZE");
        m.put("processorSegments", "JANGLE_PROCESSOR_SEGMENTS");
        m.put("failedEventsRetryInterval", "JANGLE_FAILED_EVENTS_RETRY_INTERVAL");
        m.put("failedEventsMaxAge", "JANGLE_FAILED_EVENTS_MAX_AGE");
        m.put("deadLetterAttempts", "JANGLE_DEAD_LETTER_ATTEMPTS");
        m.put("sagaRetryInterval", "JANGLE_SAGA_RETRY_INTERVAL");
        m.put("commandMaxAttempts", "JANGLE_COMMAND_MAX_ATTEMPTS");
        m.put("commandBackoffBase", "JANGLE_COMMAND_BACKOFF_BASE");
        m.put("commandBackoffMax", "JANGLE_COMMAND_BACKOFF_MAX");
        m.put("aggregateCacheSize", "JANGLE_AGGREGATE_CACHE_SIZE");
        m.put("replayBatchSize", "JANGLE_REPLAY_BATCH_SIZE");
        m.put("nodeId", "JANGLE_NODE_ID");
        m.put("processorBatchSize", "JANGLE_PROCESSOR_BATCH_SIZE");
        m.put("processorLease", "JANGLE_PROCESSOR_LEASE");
        m.put("handlerAttempts", "JANGLE_HANDLER_ATTEMPTS");
        m.put("processorPollInterval", "JANGLE_PROCESSOR_POLL_INTERVAL");
        m.put("processorStart", "JANGLE_PROCESSOR_START");
        m.put("aggregateCacheCheck", "JANGLE_AGGREGATE_CACHE_CHECK");
        m.put("processorBatchLinger", "JANGLE_PROCESSOR_BATCH_LINGER");
        m.put("commandSharing", "JANGLE_COMMAND_SHARING");
        m.put("commandSharingLinger", "JANGLE_COMMAND_SHARING_LINGER");
        m.put("commandSharingWindow", "JANGLE_COMMAND_SHARING_WINDOW");
        ENVIRONMENT_VARIABLES = java.util.Collections.unmodifiableMap(m);
    }


    /**
     * Resolves every setting: {@code explicit} (builder values by setting name, as text) wins over {@code environment},
     * which wins over the default. Collects every bad value into one {@link ConfigurationException} (K2).
     */
    public static Settings resolve(Map<String, String> explicit, Map<String, String> environment) {
        var problems = new ArrayList<String>();
        var r = new Resolver(explicit, environment, problems);
        Settings s = new Settings(
                r.positiveInt("batchSize", 100),
                r.positiveInt("dispatchHandoffSize", 10_000),
                // segments of a new processor's feed (D17); each node runs one thread per segment it holds
                r.positiveInt("processorSegments", 4),
                r.duration("failedEventsRetryInterval", Duration.ofSeconds(10)),
                r.duration("failedEventsMaxAge", Duration.ofSeconds(30)),
                r.positiveInt("deadLetterAttempts", 5),
                r.duration("sagaRetryInterval", Duration.ofSeconds(30)),
                r.positiveInt("commandMaxAttempts", 10),
                r.duration("commandBackoffBase", Duration.ofMillis(2)),
                r.duration("commandBackoffMax", Duration.ofMillis(200)),
                r.nonNegativeInt("aggregateCacheSize", 10_000),
                // a replay is throughput work: thousands of events per projection transaction amortise the commit
                r.positiveInt("replayBatchSize", 2_000),
                // names this process in the claims it holds on shared work (deliveries); a restart under the same
                // id takes its own claims back at once, other nodes wait for the lease to run out
                r.nodeId(environment.getOrDefault("HOSTNAME", "local")),
                // events per processor transaction: one checkpoint write and one read-model commit amortised over many
                r.positiveInt("processorBatchSize", 500),
                // how long a node holds a segment without renewing it; a dead node's segments move after it (D21)
                r.duration("processorLease", Duration.ofSeconds(10)),
                // in-line attempts of a failing handler before the event is parked for it (D3)
                r.positiveInt("handlerAttempts", 3),
                // how often an idle segment looks for events committed by other nodes
                r.duration("processorPollInterval", Duration.ofMillis(50)),
                // where a processor stored for the first time starts: BEGINNING catches up on the feed (D19)
                r.parse("processorStart", jangle.spi.Checkpoints.Start.BEGINNING, v -> {
                    try {
                        return jangle.spi.Checkpoints.Start.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("must be BEGINNING or HEAD");
                    }
                }),
                // H7: the append's version check confirms a decision taken on a cached aggregate
                r.parse("aggregateCacheCheck", CacheCheck.APPEND, v -> {
                    try {
                        return CacheCheck.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("must be READ or APPEND");
                    }
                }),
                // D22: how long a live segment waits for more events to fill a small batch; 0 hands each over at once
                r.parse("processorBatchLinger", Duration.ZERO, v -> {
                    Duration d = Durations.parse(v);
                    if (d.compareTo(Duration.ofSeconds(1)) > 0) throw new IllegalArgumentException("must be at most 1s");
                    return d;
                }),
                // H10: commands waiting for a busy aggregate may be decided by its holder and share its append
                r.parse("commandSharing", true, v -> switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException("must be true or false");
                }),
                // H10: how long a holder of a recently contended aggregate waits for a follower to queue (0: never);
                // about the time a client takes to send again after its answer, far below a durable commit
                r.parse("commandSharingLinger", Duration.ofNanos(200_000), v -> atMost(Durations.parse(v),
                        Duration.ofMillis(10), "10ms")),
                // H10: how recent a wait for the same aggregate must be for its holder to linger at all
                r.parse("commandSharingWindow", Duration.ofMillis(20), v -> atMost(Durations.parse(v),
                        Duration.ofSeconds(10), "10s")));
        if (!problems.isEmpty()) throw new ConfigurationException(problems);
        return s;
    }

    private static Duration atMost(Duration d, Duration limit, String shown) {
        if (d.compareTo(limit) > 0) throw new IllegalArgumentException("must be at most " + shown);
        return d;
    }

    /** Defaults only (no environment): for tests that must not depend on the caller's environment. */
    public static Settings defaults() {
        return resolve(Map.of(), Map.of());
    }

    /** The settings as text, for the start-up summary (K3); none of them is a secret. */
    public Map<String, String> describe() {
        var m = new LinkedHashMap<String, String>();
        m.put("batchSize", String.valueOf(batchSize));
        m.put("dispatchHandoffSize", String.valueOf(dispatchHandoffSize));
        m.put("processorSegments", String.valueOf(processorSegments));
        m.put("failedEventsRetryInterval", failedEventsRetryInterval.toString());
        m.put("failedEventsMaxAge", failedEventsMaxAge.toString());
        m.put("deadLetterAttempts", String.valueOf(deadLetterAttempts));
        m.put("sagaRetryInterval", sagaRetryInterval.toString());
        m.put("commandMaxAttempts", String.valueOf(commandMaxAttempts));
        m.put("commandBackoffBase", commandBackoffBase.toString());
        m.put("commandBackoffMax", commandBackoffMax.toString());
        m.put("aggregateCacheSize", String.valueOf(aggregateCacheSize));
        m.put("replayBatchSize", String.valueOf(replayBatchSize));
        m.put("nodeId", nodeId);
        m.put("processorBatchSize", String.valueOf(processorBatchSize));
        m.put("processorLease", processorLease.toString());
        m.put("handlerAttempts", String.valueOf(handlerAttempts));
        m.put("processorPollInterval", processorPollInterval.toString());
        m.put("processorStart", processorStart.name());
        m.put("aggregateCacheCheck", aggregateCacheCheck.name());
        m.put("processorBatchLinger", processorBatchLinger.toString());
        m.put("commandSharing", String.valueOf(commandSharing));
        m.put("commandSharingLinger", commandSharingLinger.toString());
        m.put("commandSharingWindow", commandSharingWindow.toString());
        return m;
    }

    /** The settings as {@link #describe()} shows them (K3), so a setting added later is shown in one place. */
    @Override
    public String toString() {
        return "Settings" + describe();
    }

    private record Resolver(Map<String, String> explicit, Map<String, String> env, List<String> problems) {
        private String raw(String name) {
            String v = explicit.get(name);
            if (v != null) return v;
            return env.get(ENVIRONMENT_VARIABLES.get(name));
        }

        private String source(String name) {
            return explicit.containsKey(name) ? "setting " + name : ENVIRONMENT_VARIABLES.get(name);
        }

        private <T> T parse(String name, T dflt, Function<String, T> parser) {
            String v = raw(name);
            if (v == null || v.isBlank()) return dflt;
            try {
                return parser.apply(v.trim());
            } catch (RuntimeException e) {
                problems.add(source(name) + " has invalid value '" + v + "': " + e.getMessage());
                return dflt;
            }
        }

        int positiveInt(String name, int dflt) {
            return parse(name, dflt, v -> {
                int n = parseInt(v);
                if (n <= 0) throw new IllegalArgumentException("must be a positive integer");
                return n;
            });
        }

        int nonNegativeInt(String name, int dflt) {
            return parse(name, dflt, v -> {
                int n = parseInt(v);
                if (n < 0) throw new IllegalArgumentException("must be zero or a positive integer");
                return n;
            });
        }

        private static int parseInt(String v) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an integer");
            }
        }

        Duration duration(String name, Duration dflt) {
            return parse(name, dflt, v -> {
                return Durations.parse(v); // K1: one grammar for every setting
            });
        }

        String nodeId(String dflt) {
            String fallback = dflt.isBlank() || dflt.length() > 100 ? "local" : dflt.strip();
            return parse("nodeId", fallback, v -> {
                if (v.length() > 100) throw new IllegalArgumentException("must be at most 100 characters");
                for (int i = 0; i < v.length(); i++) {
                    if (Character.isISOControl(v.charAt(i))) {
                        throw new IllegalArgumentException("must not contain control characters");
                    }
                }
                return v;
            });
        }
    }
}
