package jangle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jangle.JangleBuilder;
import jangle.jdbc.JdbcDatabase;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One store under test, opened once per JMH trial and closed (files deleted, server stopped) at its end. The kinds, with
 * their durability, are the values of the benchmarks' {@code store} parameter:
 * <ul>
 *   <li>{@code memory}: the in-memory stores (no durability; the framework's own cost).</li>
 *   <li>{@code sqlite}: a new SQLite file in a temp folder on the local disk, opened by {@link JdbcDatabase#sqlite}:
 *   WAL, {@code synchronous=NORMAL} (no fsync per commit; the WAL is fsynced at checkpoints).</li>
 *   <li>{@code pg-sync}: embedded PostgreSQL 14 (zonky) started with {@code fsync=on} and
 *   {@code synchronous_commit=on}: every commit waits for its WAL flush. Production-durable.</li>
 *   <li>{@code pg-async}: {@code fsync=on}, {@code synchronous_commit=off}: the WAL is flushed by the WAL writer within
 *   ~3 × {@code wal_writer_delay}; a crash of the OS can lose the last commits but never corrupts. The same class of
 *   durability as SQLite's WAL + NORMAL.</li>
 *   <li>{@code pg-nofsync}: {@code fsync=off}, {@code synchronous_commit=off}, zonky's defaults (for tests only: an OS
 *   crash can corrupt the cluster).</li>
 * </ul>
 * zonky passes {@code -F} (fsync off) and {@code synchronous_commit=off} unless told otherwise, so each PostgreSQL kind
 * sets both explicitly, and {@link #open} checks them with {@code SHOW} and fails the trial if the server disagrees.
 * Every file (SQLite database, PostgreSQL data folder) lives under {@code java.io.tmpdir}, which is on the local ext4
 * disk here.
 */
final class BenchStore implements AutoCloseable {
    private final String kind;
    private final Path dir;
    private final EmbeddedPostgres pg;
    private final JdbcDatabase db;
    private final String durability;

    private BenchStore(String kind, Path dir, EmbeddedPostgres pg, JdbcDatabase db, String durability) {
        this.kind = kind;
        this.dir = dir;
        this.pg = pg;
        this.db = db;
        this.durability = durability;
    }

    /** Opens (creates, starts) a store of {@code kind}; see the class comment for the kinds. */
    static BenchStore open(String kind) {
        try {
            return switch (kind) {
                case "memory" -> new BenchStore(kind, null, null, null, "in memory");
                case "sqlite" -> openSqlite();
                case "pg-sync" -> openPostgres(kind, "on", "on");
                case "pg-async" -> openPostgres(kind, "on", "off");
                case "pg-nofsync" -> openPostgres(kind, "off", "off");
                default -> throw new IllegalArgumentException("unknown store '" + kind
                        + "'; use memory, sqlite, pg-sync, pg-async or pg-nofsync");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open store " + kind, e);
        }
    }

    private static BenchStore openSqlite() throws IOException, SQLException {
        Path dir = Files.createTempDirectory("jangle-bench-sqlite");
        JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("bench.db"));
        String durability = db.read(c -> {
            try (Statement s = c.createStatement()) {
                return "journal_mode=" + single(s, "PRAGMA journal_mode") + ", synchronous="
                        + single(s, "PRAGMA synchronous") + " (1 = NORMAL)";
            }
        });
        return new BenchStore("sqlite", dir, null, db, durability);
    }

    private static BenchStore openPostgres(String kind, String fsync, String synchronousCommit)
            throws IOException, SQLException {
        Path dir = Files.createTempDirectory("jangle-bench-pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", fsync)
                .setServerConfig("synchronous_commit", synchronousCommit)
                .start();
        try {
            String seen;
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                seen = "fsync=" + single(s, "SHOW fsync") + ", synchronous_commit="
                        + single(s, "SHOW synchronous_commit") + ", wal_sync_method="
                        + single(s, "SHOW wal_sync_method") + ", server " + single(s, "SHOW server_version");
            }
            if (!seen.startsWith("fsync=" + fsync + ", synchronous_commit=" + synchronousCommit + ",")) {
                throw new IllegalStateException("PostgreSQL did not take the durability settings: " + seen);
            }
            JdbcDatabase db = JdbcDatabase.open(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
            return new BenchStore(kind, dir, pg, db, seen);
        } catch (RuntimeException | SQLException e) {
            pg.close();
            throw e;
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Points {@code builder} at this store (the in-memory default needs nothing). */
    JangleBuilder configure(JangleBuilder builder) {
        return db == null ? builder : builder.stores(db.stores());
    }

    /** The opened database (SQLite or PostgreSQL), for benchmarks that write their own tables in it. */
    JdbcDatabase database() {
        if (db == null) throw new IllegalStateException("the in-memory store has no database");
        return db;
    }

    boolean memory() {
        return db == null;
    }

    boolean sqlite() {
        return "sqlite".equals(kind);
    }

    /** What the database reported for its durability settings, for the benchmark log. */
    String durability() {
        return kind + ": " + durability;
    }

    /**
     * A new plain JDBC connection to the same database with the same settings as the stores' connections, for the raw
     * insert+commit limit: SQLite with the pragmas of {@code SqliteConnections} (WAL, NORMAL, busy timeout 10 s);
     * PostgreSQL through the driver directly (no pool), auto-commit off.
     */
    Connection rawConnection() throws SQLException {
        if (db == null) throw new IllegalStateException("the in-memory store has no database");
        Connection c;
        if (sqlite()) {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(10_000);
            config.setTempStore(SQLiteConfig.TempStore.MEMORY);
            c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bench.db"), config.toProperties());
        } else {
            c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        }
        c.setAutoCommit(false);
        return c;
    }

    /** A named statement of the raw limits from {@code jangle/bench/raw-<dialect>.sql}. */
    String rawSql(String name) {
        if (db == null) throw new IllegalStateException("the in-memory store has no database");
        String resource = "jangle/bench/raw-" + (sqlite() ? "sqlite" : "postgresql") + ".sql";
        Map<String, String> statements = new HashMap<>();
        try (InputStream in = BenchStore.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            String key = null;
            StringBuilder sql = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("-- name: ")) {
                    if (key != null) statements.put(key, sql.toString().strip());
                    key = line.substring("-- name: ".length()).strip();
                    sql.setLength(0);
                } else if (key != null && !line.startsWith("--")) {
                    sql.append(line).append('\n');
                }
            }
            if (key != null) statements.put(key, sql.toString().strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String sql = statements.get(name);
        if (sql == null) throw new IllegalArgumentException("no statement " + name + " in " + resource);
        return sql;
    }

    private static final DateTimeFormatter SQLITE_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** A UUID as the store binds it: canonical text on SQLite, {@code uuid} on PostgreSQL. */
    Object uuid(UUID id) {
        return sqlite() ? id.toString() : id;
    }

    /** An instant as the store binds it: fixed-width UTC text on SQLite, {@code timestamptz} on PostgreSQL. */
    Object instant(Instant t) {
        return sqlite() ? SQLITE_TIME.format(t) : t.atOffset(ZoneOffset.UTC);
    }

    @Override
    public void close() {
        try {
            if (db != null) db.close();
        } finally {
            try {
                if (pg != null) pg.close();
            } catch (IOException e) {
                System.err.println("stopping PostgreSQL failed: " + e);
            }
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
