package jangle.jdbc;

import jangle.ConfigurationException;
import jangle.Durations;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How long a PostgreSQL client waits on the server (issue 16 item 4): a server that accepts the connection and never
 * answers (a hung server, a firewall that drops packets, another program on the port) must end in a clear error, not a
 * process that waits for ever.
 *
 * <ul>
 *   <li>{@code connect}: opening the TCP connection, and separately the login that follows it; also how long a
 *   command waits for a free pooled connection (HikariCP's {@code connectionTimeout}). Environment
 *   {@value #CONNECT_VARIABLE}, default {@value #DEFAULT_CONNECT_SECONDS} s.</li>
 *   <li>{@code socket}: any single read from the server, so also the longest statement; {@code 0} waits for ever.
 *   Environment {@value #SOCKET_VARIABLE}, default {@value #DEFAULT_SOCKET_SECONDS} s, far above any statement Jangle
 *   runs (a page of the feed, a batch of upserts), because a statement cut short is an error the caller retries.</li>
 * </ul>
 * Values are durations as in §14 ({@code 500ms}, {@code 10s}, {@code 2m}); the driver counts whole seconds, so a value
 * under a second becomes one second. Parameters in the JDBC URL ({@code connectTimeout}, {@code loginTimeout},
 * {@code socketTimeout}) win over these.
 */
public record DbTimeouts(Duration connect, Duration socket) {
    public static final String CONNECT_VARIABLE = "JANGLE_DB_CONNECT_TIMEOUT";
    public static final String SOCKET_VARIABLE = "JANGLE_DB_SOCKET_TIMEOUT";
    static final int DEFAULT_CONNECT_SECONDS = 10;
    static final int DEFAULT_SOCKET_SECONDS = 60;
    public static final DbTimeouts DEFAULTS = new DbTimeouts(Duration.ofSeconds(DEFAULT_CONNECT_SECONDS),
            Duration.ofSeconds(DEFAULT_SOCKET_SECONDS));

    public DbTimeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(socket, "socket");
        if (connect.isNegative() || connect.isZero()) throw new IllegalArgumentException("connect must be positive");
        if (socket.isNegative()) throw new IllegalArgumentException("socket must not be negative");
    }

    /** From {@value #CONNECT_VARIABLE} and {@value #SOCKET_VARIABLE}, else the defaults; a bad value is named. */
    public static DbTimeouts fromEnvironment(Map<String, String> env) {
        Duration connect = parse(env, CONNECT_VARIABLE, DEFAULTS.connect, false);
        Duration socket = parse(env, SOCKET_VARIABLE, DEFAULTS.socket, true);
        return new DbTimeouts(connect, socket);
    }

    private static Duration parse(Map<String, String> env, String name, Duration dflt, boolean zeroAllowed) {
        String v = env == null ? null : env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            Duration d = Durations.parse(v);
            if (d.isNegative() || (!zeroAllowed && d.isZero())) {
                throw new IllegalArgumentException(zeroAllowed ? "must not be negative" : "must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(name + "=" + v + ": " + e.getMessage());
        }
    }

    /** Whole seconds for the driver: at least 1 when positive. */
    static int seconds(Duration d) {
        if (d.isZero()) return 0;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (d.toMillis() + 999) / 1000));
    }
}
