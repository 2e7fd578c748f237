package jangle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Effective settings of one application (§14). Each comes from the builder, else from its {@code JANGLE_*}
 * environment variable, else the default; read once at {@code build()}, never when a class is loaded.
 */
public record Settings(int batchSize, int dispatchHandoffSize, int dispatchWorkers,
                       Duration failedEventsRetryInterval, Duration failedEventsMaxAge, int deadLetterAttempts,
                       Duration sagaRetryInterval, int commandMaxAttempts, Duration commandBackoffBase,
                       Duration commandBackoffMax, int aggregateCacheSize, String dbUrl, String dbPath,
                       String dbUser, String dbPassword, String logFormat, int replayBatchSize,
                       String nodeId) {

    /** Setting name → environment variable. */
    public static final Map<String, String> ENVIRONMENT_VARIABLES;

    static {
        var m = new LinkedHashMap<String, String>();
        m.put("batchSize", "JANGLE_BATCH_SIZE");
        m.put("dispatchHandoffSize", "JANGLE_DISPATCH_HANDOFF_SIZE");
        m.put("dispatchWorkers", "JANGLE_DISPATCH_WORKERS");
        m.put("failedEventsRetryInterval", "JANGLE_FAILED_EVENTS_RETRY_INTERVAL");
        m.put("failedEventsMaxAge", "JANGLE_FAILED_EVENTS_MAX_AGE");
        m.put("deadLetterAttempts", "JANGLE_DEAD_LETTER_ATTEMPTS");
        m.put("sagaRetryInterval", "JANGLE_SAGA_RETRY_INTERVAL");
        m.put("commandMaxAttempts", "JANGLE_COMMAND_MAX_ATTEMPTS");
        m.put("commandBackoffBase", "JANGLE_COMMAND_BACKOFF_BASE");
        m.put("commandBackoffMax", "JANGLE_COMMAND_BACKOFF_MAX");
        m.put("aggregateCacheSize", "JANGLE_AGGREGATE_CACHE_SIZE");
        m.put("dbUrl", "JANGLE_DB_URL");
        m.put("dbPath", "JANGLE_DB_PATH");
        m.put("dbUser", "JANGLE_DB_USER");
        m.put("dbPassword", "JANGLE_DB_PASSWORD");
        m.put("logFormat", "JANGLE_LOG_FORMAT");
        m.put("replayBatchSize", "JANGLE_REPLAY_BATCH_SIZE");
        m.put("nodeId", "JANGLE_NODE_ID");
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
                r.positiveInt("dispatchWorkers", 1),
                r.duration("failedEventsRetryInterval", Duration.ofSeconds(10)),
                r.duration("failedEventsMaxAge", Duration.ofSeconds(30)),
                r.positiveInt("deadLetterAttempts", 5),
                r.duration("sagaRetryInterval", Duration.ofSeconds(30)),
                r.positiveInt("commandMaxAttempts", 10),
                r.duration("commandBackoffBase", Duration.ofMillis(2)),
                r.duration("commandBackoffMax", Duration.ofMillis(200)),
                r.nonNegativeInt("aggregateCacheSize", 10_000),
                r.text("dbUrl"), r.text("dbPath"), r.text("dbUser"), r.text("dbPassword"),
                r.oneOf("logFormat", "text", List.of("text", "json")),
                // a replay is throughput work: thousands of events per projection transaction amortise the commit
                r.positiveInt("replayBatchSize", 2_000),
                // names this process in the claims it holds on shared work (deliveries); a restart under the same
                // id takes its own claims back at once, other nodes wait for the lease to run out
                r.nodeId(environment.getOrDefault("HOSTNAME", "local")));
        if (!problems.isEmpty()) throw new ConfigurationException(problems);
        return s;
    }

    /** Defaults only (no environment): for tests that must not depend on the caller's environment. */
    public static Settings defaults() {
        return resolve(Map.of(), Map.of());
    }

    /** The settings as text with secrets masked, for the start-up summary (K3). */
    public Map<String, String> describe() {
        var m = new LinkedHashMap<String, String>();
        m.put("batchSize", String.valueOf(batchSize));
        m.put("dispatchHandoffSize", String.valueOf(dispatchHandoffSize));
        m.put("dispatchWorkers", String.valueOf(dispatchWorkers));
        m.put("failedEventsRetryInterval", failedEventsRetryInterval.toString());
        m.put("failedEventsMaxAge", failedEventsMaxAge.toString());
        m.put("deadLetterAttempts", String.valueOf(deadLetterAttempts));
        m.put("sagaRetryInterval", sagaRetryInterval.toString());
        m.put("commandMaxAttempts", String.valueOf(commandMaxAttempts));
        m.put("commandBackoffBase", commandBackoffBase.toString());
        m.put("commandBackoffMax", commandBackoffMax.toString());
        m.put("aggregateCacheSize", String.valueOf(aggregateCacheSize));
        m.put("dbUrl", dbUrl == null ? "" : maskUrl(dbUrl));
        m.put("dbPath", dbPath == null ? "" : dbPath);
        m.put("dbUser", dbUser == null ? "" : dbUser);
        m.put("dbPassword", dbPassword == null ? "" : "****");
        m.put("logFormat", logFormat);
        m.put("replayBatchSize", String.valueOf(replayBatchSize));
        m.put("nodeId", nodeId);
        return m;
    }

    /**
     * The settings with secrets masked, as {@link #describe()} shows them (K3): a record's generated
     * {@code toString} would print the database password, and settings end up in logs and exception messages.
     */
    @Override
    public String toString() {
        return "Settings" + describe();
    }

    /**
     * {@code url} with its secrets replaced by {@code ****}: the value of every {@code ...password=} parameter and the
     * password in a {@code user:password@host} part. Every Jangle summary, log line and {@code toString} that shows a
     * database address goes through here (K3).
     */
    public static String maskUrl(String url) {
        if (url == null) return null;
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****")
                .replaceAll("(//[^/@:?#]*:)[^/@?#]*@", "$1****@");
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

        String text(String name) {
            return parse(name, null, v -> v);
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

        String oneOf(String name, String dflt, List<String> allowed) {
            return parse(name, dflt, v -> {
                String lower = v.toLowerCase(Locale.ROOT);
                if (!allowed.contains(lower)) throw new IllegalArgumentException("must be one of " + allowed);
                return lower;
            });
        }
    }
}
