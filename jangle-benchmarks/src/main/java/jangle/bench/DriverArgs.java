package jangle.bench;

import java.util.Set;

/** Command-line arguments of the load drivers: a bad one is refused with its name and what was given. */
final class DriverArgs {
    /** The PostgreSQL kinds of {@link BenchStore} a driver accepts. */
    static final Set<String> POSTGRES_KINDS = Set.of("pg-sync", "pg-async", "pg-nofsync");

    private DriverArgs() {
    }

    /** {@code value} as a whole number of at least 1. */
    static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(name + " must be a whole number of at least 1, not '" + value + "'");
    }

    /** {@code kind} when it is one of {@link #POSTGRES_KINDS}. */
    static String postgresKind(String kind) {
        if (!POSTGRES_KINDS.contains(kind)) {
            throw new IllegalArgumentException("store must be pg-sync, pg-async or pg-nofsync, not '" + kind + "'");
        }
        return kind;
    }
}
