package jangle.jdbc;

import com.zaxxer.hikari.HikariConfig;
import jangle.StoreException;
import jangle.json.JsonCodec;
import jangle.spi.StoreProvider;
import jangle.spi.Stores;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * One SQLite file or PostgreSQL database holding an application's events, dispatch ledger, snapshots, sagas and (if
 * it likes) its read models. The entry point of this module:
 *
 * <pre>{@code
 * try (JdbcDatabase db = JdbcDatabase.sqlite(Path.of("bank.db"))) {
 *     db.executeScript("bank/views.sql");                       // the application's read-model tables
 *     Jangle jangle = Jangle.builder().stores(db.stores())...build();
 * }
 * }</pre>
 *
 * <p><b>Schema and upgrades.</b> Opening a database creates or upgrades Jangle's own tables: the numbered scripts
 * {@code jangle/jdbc/<dialect>/schema-NNN.sql} are applied in order, each once, inside one write transaction that
 * also records the reached number in {@code jangle_schema_version} (component {@code jangle}). Scripts are idempotent
 * ({@code CREATE ... IF NOT EXISTS}), and a later release adds {@code schema-002.sql} and so on (never editing an
 * applied one), so any older database is brought forward at start-up. A database whose recorded version is newer than
 * this code refuses to open. On PostgreSQL concurrent start-ups are serialised by an advisory lock; on SQLite by the
 * write lock.
 *
 * <p><b>Only Jangle's databases.</b> The table {@code jangle_schema_version} is Jangle's schema marker: it is made in
 * the same transaction as the first schema script, so every database Jangle has ever opened carries it (also those
 * made before this rule). A database (on PostgreSQL: the current schema) that holds tables but no marker belongs to
 * something else, and opening it fails with a {@link StoreException} that names it and its tables, before anything is
 * written to it.
 *
 * <p><b>Connections.</b> SQLite: one writer connection behind an in-process lock plus up to four reader connections,
 * in WAL mode with {@code synchronous=NORMAL} (see {@link SqliteConnections} for each setting and what it means for a
 * crash or a power loss). PostgreSQL: a HikariCP pool (8 connections), also when built from a {@link DataSource}.
 *
 * <p><b>Stores.</b> {@link #stores()} gives {@code JangleBuilder.stores(...)} the event store with its dispatch
 * ledger, the snapshot store and the saga store on this database. The database outlives the {@code Jangle} built on
 * it: close it yourself, after the application.
 *
 * <p><b>Read models that commit with their checkpoint (D18).</b> A {@code jangle.Projection} registered as an object
 * gets its batch with the store's open transaction ({@code jangle.spi.StoreTransaction}); on this database
 * {@code tx.unwrap(java.sql.Connection.class)} is that transaction's connection, lent as {@link #inTransaction} lends
 * one, so {@link SqlBatch}, {@link SqlStatement} and {@link VersionedUpsert} statements run on it reuse its compiled
 * statements and commit or roll back together with the checkpoint (exactly once):
 *
 * <pre>{@code
 * public void handleBatch(List<EventRecord<? extends MyEvent>> records, StoreTransaction tx) throws Exception {
 *     Connection c = tx.unwrap(Connection.class).orElseThrow();   // the checkpoint's transaction
 *     SqlBatch batch = new SqlBatch();
 *     for (EventRecord<? extends MyEvent> r : records) batch.add(...); // e.g. VersionedUpsert statements
 *     batch.execute(c);
 * }
 * }</pre>
 *
 * Do not commit, roll back or close that connection, nor keep it after the call; do not call {@link #inTransaction}
 * inside the batch (on PostgreSQL that would be another transaction). {@code tx.unwrap(SqlDialect.class)} gives the
 * dialect, and {@code tx.unwrap(JdbcDatabase.class)} the database it belongs to: a projection that writes to one
 * database checks it is this one before it writes through the connection.
 *
 * <p>Thread-safe. Faults are {@link StoreException}s naming the store and operation.
 */
public final class JdbcDatabase implements AutoCloseable {
    /** Jangle's schema scripts, in order; the position + 1 is the schema version they bring the database to. */
    private static final List<String> SCHEMA_SCRIPTS = List.of("schema-001.sql", "schema-002.sql", "schema-003.sql",
            "schema-004.sql");
    private static final String COMPONENT = "jangle";
    /** The table whose presence says "this database is Jangle's" (created with the first schema script). */
    private static final String MARKER = "jangle_schema_version";

    private final Connections connections;
    private final Sql sql;
    private final String description;
    private volatile boolean probeTableMade;

    private JdbcDatabase(Connections connections, String description) {
        this.connections = connections;
        this.sql = Sql.load(connections.dialect());
        this.description = description;
        try {
            migrate();
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    /** A SQLite database in {@code file}, created (with missing parent folders) if it does not exist. */
    public static JdbcDatabase sqlite(Path file) {
        Objects.requireNonNull(file, "file");
        Path abs = file.toAbsolutePath();
        try {
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of " + abs, e);
        }
        String url = "jdbc:sqlite:" + abs;
        return new JdbcDatabase(new SqliteConnections(url), "sqlite:" + abs);
    }

    /**
     * Opens {@code jdbc:sqlite:<path>} (user and password ignored; {@code jdbc:sqlite::memory:} gives a private
     * in-memory database on one connection) or {@code jdbc:postgresql://...} (pooled by HikariCP).
     */
    public static JdbcDatabase open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, DbTimeouts.DEFAULTS);
    }

    /** {@link #open(String, String, String)} with the PostgreSQL client's time-outs (ignored for SQLite). */
    public static JdbcDatabase open(String jdbcUrl, String user, String password, DbTimeouts timeouts) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(timeouts, "timeouts");
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            String path = jdbcUrl.substring("jdbc:sqlite:".length());
            if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
                return new JdbcDatabase(new SqliteConnections(jdbcUrl), jdbcUrl);
            }
            return sqlite(Path.of(path));
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(user);
            config.setPassword(password);
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            config.addDataSourceProperty("connectTimeout", String.valueOf(DbTimeouts.seconds(timeouts.connect())));
            config.addDataSourceProperty("loginTimeout", String.valueOf(DbTimeouts.seconds(timeouts.connect())));
            config.addDataSourceProperty("socketTimeout", String.valueOf(DbTimeouts.seconds(timeouts.socket())));
            config.setConnectionTimeout(Math.max(250, timeouts.connect().toMillis()));
            return new JdbcDatabase(new PostgresConnections(config), stripSecrets(jdbcUrl));
        }
        throw new IllegalArgumentException("unsupported JDBC URL (use jdbc:sqlite:<file> or jdbc:postgresql://...): "
                + stripSecrets(jdbcUrl));
    }

    /**
     * A PostgreSQL database reached through {@code dataSource} (for example zonky's embedded server in tests).
     * Connections are still pooled: HikariCP wraps the data source, so an unpooled one is fine.
     */
    public static JdbcDatabase postgres(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        HikariConfig config = new HikariConfig();
        config.setDataSource(dataSource);
        return new JdbcDatabase(new PostgresConnections(config), "postgresql:" + dataSource.getClass().getSimpleName());
    }

    private static String stripSecrets(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** For tests of this package. */
    Connections connections() {
        return connections;
    }

    public SqlDialect dialect() {
        return connections.dialect();
    }

    /**
     * The event store (with its parked deliveries and its processors' checkpoints, schema 3), snapshot store and saga
     * store in this database. See the class comment for a projection that writes its read model in the transaction of
     * its checkpoint.
     */
    public StoreProvider stores() {
        return stores(AppendListener.NONE);
    }

    /** {@link #stores()} with a test hook inside each append transaction (G4). */
    StoreProvider stores(AppendListener listener) {
        return context -> {
            JsonCodec codec = new JsonCodec(context.types());
            return new Stores(new JdbcEventStore(connections, sql, codec, context.batchSize(), listener, this),
                    new JdbcSnapshotStore(connections, sql, codec),
                    new JdbcSagaStore(connections, sql, codec),
                    () -> { }); // the database belongs to whoever opened it
        };
    }

    /**
     * Runs {@code work} in one write transaction and commits it, or rolls it back when {@code work} throws. On SQLite
     * it is serialised with the stores' writes (one writer), and a call made inside another {@code inTransaction} on
     * the same thread joins the outer transaction. Do not commit, roll back or close the connection.
     * An {@link SQLException} becomes a {@link StoreException}; unchecked exceptions pass through.
     */
    public <T> T inTransaction(SqlWork<T> work) {
        Objects.requireNonNull(work, "work");
        try {
            return connections.write(s -> s.lend(work));
        } catch (SQLException e) {
            throw SqlErrors.storeError("database", "transaction", e);
        }
    }

    /**
     * Runs read-only {@code work} on a pooled (PostgreSQL) or reader (SQLite) connection in auto-commit mode: each
     * statement sees the latest committed data. Reads never wait for appends on either dialect.
     */
    public <T> T read(SqlWork<T> work) {
        Objects.requireNonNull(work, "work");
        try {
            return connections.read(s -> s.lend(work));
        } catch (SQLException e) {
            throw SqlErrors.storeError("database", "read", e);
        }
    }

    /**
     * Runs a classpath SQL script (for example an application's read-model schema). Statements are separated by
     * semicolons outside quotes, comments and dollar-quoted bodies. Write scripts to be idempotent ({@code CREATE TABLE
     * IF NOT EXISTS}), because they run at every start, and a script interrupted half-way is simply run again.
     *
     * <p>SQLite: the whole script runs in one write transaction (the write lock is database-wide, so nothing can
     * interleave).
     *
     * <p>PostgreSQL: each statement commits on its own, and the script runs under a session-level advisory lock (the
     * key Jangle's migration uses). The lock serialises nodes started together on a new database, whose {@code IF NOT
     * EXISTS} would otherwise race on a duplicate catalog entry. Committing statement by statement is what lets a node
     * start beside running nodes: {@code CREATE INDEX IF NOT EXISTS} takes a SHARE lock on its table even when the
     * index exists, and one transaction holding that lock on one table while waiting for the next deadlocks with the
     * running nodes' read-model transactions, which hold row locks on the second table and then write the first.
     */
    public void executeScript(String classpathResource) {
        executeStatements(classpathResource, Sql.split(Sql.resource(classpathResource)));
    }

    /**
     * {@link #executeScript(String)} of a template: each placeholder {@code {name}} of the script is replaced by the
     * identifier {@code identifiers} maps it to ({@link SqlScripts#render}), for example to create a second generation
     * of an application's tables beside the live one from the same script.
     */
    public void executeScript(String classpathResource, java.util.Map<String, String> identifiers) {
        List<String> statements = SqlScripts.statements(classpathResource).stream()
                .map(s -> SqlScripts.render(s, identifiers)).toList();
        executeStatements(classpathResource, statements);
    }

    private void executeStatements(String classpathResource, List<String> statements) {
        String lock = sql.optional("script.lock");
        if (lock == null) {
            inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    for (String statement : statements) s.execute(statement);
                }
                return null;
            });
            return;
        }
        String unlock = sql.get("script.unlock");
        try {
            connections.read(session -> { // a pooled connection in auto-commit mode: each statement commits
                try (Statement s = session.connection().createStatement()) {
                    s.execute(lock);
                    try {
                        for (String statement : statements) s.execute(statement);
                    } finally {
                        s.execute(unlock); // a broken connection ends its session, and the lock with it
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError("database", "script " + classpathResource, e);
        }
    }

    private void migrate() {
        try {
            connections.write(s -> {
                String lock = sql.optional("schema.lock");
                if (lock != null) {
                    try (ResultSet rs = s.prepare(lock).executeQuery()) {
                        rs.next();
                    }
                }
                refuseForeignDatabase(s);
                try (Statement st = s.connection().createStatement()) {
                    st.execute(sql.get("schema.create"));
                }
                int current = 0;
                try (ResultSet rs = s.prepare(sql.get("schema.get"), COMPONENT).executeQuery()) {
                    if (rs.next()) current = rs.getInt(1);
                }
                if (current > SCHEMA_SCRIPTS.size()) {
                    throw new StoreException("database", "open", "the Jangle schema of this database is version "
                            + current + ", newer than this code's " + SCHEMA_SCRIPTS.size()
                            + "; upgrade the application");
                }
                for (int v = current; v < SCHEMA_SCRIPTS.size(); v++) {
                    String script = Sql.resource("jangle/jdbc/" + dialect().folder() + "/" + SCHEMA_SCRIPTS.get(v));
                    try (Statement st = s.connection().createStatement()) {
                        for (String statement : Sql.split(script)) st.execute(statement);
                    }
                }
                if (current < SCHEMA_SCRIPTS.size()) {
                    s.prepare(sql.get("schema.set"), COMPONENT, SCHEMA_SCRIPTS.size(), Clock.systemUTC().instant())
                            .executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw SqlErrors.storeError("database", "schema migration", e);
        }
    }

    /** Fails when the database holds tables but not Jangle's schema marker: it is not ours to add tables to. */
    private void refuseForeignDatabase(Session s) throws SQLException {
        List<String> tables = new java.util.ArrayList<>();
        try (ResultSet rs = s.prepare(sql.get("schema.tables")).executeQuery()) {
            while (rs.next()) tables.add(rs.getString(1));
        }
        if (tables.isEmpty() || tables.contains(MARKER)) return;
        int shown = Math.min(5, tables.size());
        throw new StoreException("database", "open", description + " is not a Jangle database: it holds "
                + tables.size() + (tables.size() == 1 ? " table (" : " tables (")
                + String.join(", ", tables.subList(0, shown)) + (shown < tables.size() ? ", ..." : "")
                + ") and no Jangle schema marker (" + MARKER + "); nothing was changed. Use a new file or an empty"
                + " database.");
    }

    /**
     * Writes one row (the current time into {@code jangle_write_probe}, a one-row table made by the first probe) in a
     * write transaction and commits: a probe that fails with the store's own {@link StoreException} when the database
     * cannot be written (disk full, read-only file, connection lost), so a long-running process can report such a
     * fault while its background work meets it, and report the recovery. The value changes at every probe because
     * SQLite does not write a page whose content an update leaves as it was. A probe that succeeds proves little more
     * than that one page could be written.
     */
    public void probeWrite() {
        try {
            connections.write(s -> {
                if (!probeTableMade) {
                    try (Statement st = s.connection().createStatement()) {
                        st.execute(sql.get("probe.create"));
                    }
                }
                return s.prepare(sql.get("probe.write"), Clock.systemUTC().instant().toString()).executeUpdate();
            });
            probeTableMade = true;
        } catch (SQLException e) {
            throw SqlErrors.storeError("database", "write probe", e);
        }
    }

    /** Closes every connection. Idempotent. Close the {@code Jangle} application built on it first. */
    @Override
    public void close() {
        connections.close();
    }

    /**
     * Write transactions this object has committed since it was opened, in this process, whoever asked for them
     * (appends, checkpoint advances, read-model batches, saga rows, lease rounds): {@code commits}, and the
     * {@code writes} they held, more than the commits when group commit shared one transaction among several writers.
     * For load reports (commits per command); a snapshot of two counters, not a consistent pair under load.
     */
    public WriteCounts writeCounts() {
        return new WriteCounts(connections.commits.sum(), connections.committedWrites.sum());
    }

    /** See {@link #writeCounts()}. */
    public record WriteCounts(long commits, long writes) {
        /** The counts since {@code earlier}. */
        public WriteCounts since(WriteCounts earlier) {
            return new WriteCounts(commits - earlier.commits, writes - earlier.writes);
        }
    }

    /** The file or server (no secrets), for messages that must name it. */
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "JdbcDatabase[" + description + "]";
    }
}
