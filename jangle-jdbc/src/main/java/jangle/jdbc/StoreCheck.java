package jangle.jdbc;

import jangle.JangleException;
import jangle.StoreException;
import jangle.TypeRegistry;
import jangle.json.JsonCodec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;

/**
 * Verifies a Jangle store without writing to it (issue 17, {@code jangle-bank check}): the database's own integrity
 * check, every event row readable and upcastable to a registered type, each aggregate's versions exactly 1..n, feed
 * positions and event ids unique, every snapshot on an event of its stream, every saga history readable and within
 * its saga's version, every delivery on an existing event, every processor checkpoint (schema 3) within its segment
 * count and the feed.
 *
 * <p>It opens its own connection, read-only where the database allows (SQLite {@code SQLITE_OPEN_READONLY};
 * PostgreSQL a read-only transaction), and keeps going after a finding, so one run lists all it can see. A file that
 * SQLite cannot open at all is one finding. Read models are the application's: {@code jangle-bank check --views}
 * compares them with a fresh replay.
 *
 * <p>PostgreSQL offers no whole-database check without extensions: when {@code amcheck} is installed every Jangle
 * B-tree index is verified with {@code bt_index_check}; page checksums are reported when enabled. What was and was not
 * possible is in {@link Report#notes()}.
 */
public final class StoreCheck {
    /** At most this many findings are listed per kind; the rest are counted. */
    static final int LISTED_PER_KIND = 50;

    /** One thing found wrong: its kind (e.g. {@code events}, {@code integrity}) and what, naming table and row. */
    public record Finding(String kind, String detail) {
        public Finding {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return kind + ": " + detail;
        }
    }

    /**
     * The outcome: {@code sound()} when there is no finding. {@code findings} lists at most {@value #LISTED_PER_KIND}
     * of each kind; {@code unlisted} counts the rest.
     */
    public record Report(String database, long events, long aggregates, long sagas, List<String> notes,
                         List<Finding> findings, long unlisted) {
        public Report {
            notes = List.copyOf(notes);
            findings = List.copyOf(findings);
        }

        public boolean sound() {
            return findings.isEmpty();
        }
    }

    private final Sql sql;
    private final JsonCodec codec;
    private final String database;
    private final List<String> notes = new ArrayList<>();
    private final List<Finding> findings = new ArrayList<>();
    private final java.util.Map<String, Integer> perKind = new java.util.HashMap<>();
    private long unlisted;
    private long events;
    private long aggregates;
    private long sagas;

    private StoreCheck(SqlDialect dialect, TypeRegistry types, String database) {
        this.sql = Sql.load(dialect, "check.sql");
        this.codec = new JsonCodec(types);
        this.database = database;
    }

    /** Checks the SQLite database {@code file}, opened read-only; {@code types} are the application's events. */
    public static Report sqlite(Path file, TypeRegistry types) {
        Path abs = file.toAbsolutePath();
        StoreCheck check = new StoreCheck(SqlDialect.SQLITE, types, abs.toString());
        if (!Files.isRegularFile(abs)) {
            throw new StoreException("sqlite", "check", "there is no database file " + abs);
        }
        String problem = SqliteFiles.wholeProblem(abs);
        if (problem != null) check.add("file", abs + ": " + problem);
        Properties props = SqliteFiles.readOnly();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + abs, props)) {
            try {
                check.integritySqlite(c);
            } catch (SQLException e) { // a page so damaged that the check itself gives up: say so, go on
                check.add("integrity", "PRAGMA integrity_check stopped: " + e.getMessage());
            }
            check.rows(c);
        } catch (SQLException e) {
            check.add("open", "SQLite cannot read " + abs + ": " + SqlErrors.storeError("sqlite", "check", e)
                    .getMessage());
        }
        return check.report();
    }

    /** Checks a PostgreSQL database in one read-only transaction (one consistent snapshot of the store). */
    public static Report postgres(String jdbcUrl, String user, String password, TypeRegistry types) {
        int q = jdbcUrl.indexOf('?');
        StoreCheck check = new StoreCheck(SqlDialect.POSTGRESQL, types, q < 0 ? jdbcUrl : jdbcUrl.substring(0, q));
        Properties props = new Properties();
        if (user != null) props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                check.integrityPostgres(c);
                check.rows(c);
            } finally {
                c.rollback(); // nothing was written; end the snapshot
            }
        } catch (SQLException e) {
            throw SqlErrors.storeError("postgresql", "check of " + check.database, e);
        }
        return check.report();
    }

    private Report report() {
        return new Report(database, events, aggregates, sagas, notes, findings, unlisted);
    }

    private void add(String kind, String detail) {
        int n = perKind.merge(kind, 1, Integer::sum);
        if (n <= LISTED_PER_KIND) findings.add(new Finding(kind, detail));
        else unlisted++;
    }

    private void integritySqlite(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.get("check.integrity")); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String text = rs.getString(1);
                if ("ok".equals(text)) continue;
                for (String line : text.split("\n")) {
                    if (!line.isBlank() && !line.startsWith("*** in database")) add("integrity", line.strip());
                }
            }
        }
        notes.add("SQLite PRAGMA integrity_check run on " + database);
    }

    private void integrityPostgres(Connection c) throws SQLException {
        boolean amcheck;
        try (PreparedStatement ps = c.prepareStatement(sql.get("check.amcheck")); ResultSet rs = ps.executeQuery()) {
            amcheck = rs.next();
        }
        if (amcheck) {
            List<long[]> oids = new ArrayList<>();
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.get("check.indexes"));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oids.add(new long[]{rs.getLong(1)});
                    names.add(rs.getString(2));
                }
            }
            for (int i = 0; i < oids.size(); i++) {
                var sp = c.setSavepoint("idx");
                try (PreparedStatement ps = c.prepareStatement(sql.get("check.indexCheck"))) {
                    ps.setLong(1, oids.get(i)[0]);
                    ps.executeQuery().close();
                } catch (SQLException e) {
                    c.rollback(sp);
                    add("integrity", "amcheck bt_index_check(" + names.get(i) + "): " + e.getMessage());
                }
            }
            notes.add("PostgreSQL amcheck: " + oids.size() + " Jangle B-tree indexes verified");
        } else {
            notes.add("PostgreSQL: the amcheck extension is not installed, so the server's own index and page checks "
                    + "were not run (CREATE EXTENSION amcheck enables them); the row checks below still ran");
        }
        try (PreparedStatement ps = c.prepareStatement(sql.get("check.checksums")); ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                boolean on = "on".equals(rs.getString(1));
                long failures = rs.getLong(2);
                if (!on) notes.add("PostgreSQL data checksums are off: damaged pages cannot be detected by the server");
                else if (failures > 0) add("integrity", "pg_stat_database reports " + failures + " checksum failures");
                else notes.add("PostgreSQL data checksums are on, no failure recorded");
            }
        }
    }

    private void rows(Connection c) throws SQLException {
        SqlDialect dialect = sql.dialect();
        long lastRead = 0;
        try (PreparedStatement ps = c.prepareStatement(sql.get("check.events"))) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events++;
                    long position = rs.getLong(1);
                    lastRead = position;
                    String at = "jangle_events position " + position;
                    try {
                        UUID id = need(Values.uuid(rs, 2, dialect), "event_id");
                        need(rs.getString(3), "aggregate_id");
                        long version = rs.getLong(4);
                        if (rs.wasNull() || version < 1) throw new IllegalStateException("version is " + version);
                        String type = need(rs.getString(5), "type");
                        int schema = rs.getInt(6);
                        if (rs.wasNull()) throw new IllegalStateException(Rows.nullColumn("schema_version"));
                        need(Values.instant(rs, 7, dialect), "created_at");
                        need(Values.uuid(rs, 8, dialect), "correlation_id");
                        Values.uuid(rs, 9, dialect);
                        String entries = rs.getString(10);
                        if (entries != null) codec.readEntries(entries);
                        codec.decode(id, type, schema, need(rs.getString(11), "payload"));
                    } catch (RuntimeException e) {
                        add("events", at + ": " + message(e));
                    }
                }
            }
        } catch (SQLException e) {
            if (dialect == SqlDialect.POSTGRESQL) throw e;
            add("events", "jangle_events cannot be read past position " + lastRead + ": " + e.getMessage());
        }
        query(c, "check.gaps", rs -> add("versions", "aggregate '" + rs.getString(1) + "' has " + rs.getLong(2)
                + " events with versions " + rs.getLong(3) + ".." + rs.getLong(4) + " (" + rs.getLong(5)
                + " distinct); expected exactly 1.." + rs.getLong(2)));
        query(c, "check.positions", rs -> add("positions", "feed position " + rs.getLong(1) + " is used by "
                + rs.getLong(2) + " events"));
        query(c, "check.eventIds", rs -> add("event ids", "event id " + rs.getString(1) + " is stored "
                + rs.getLong(2) + " times"));
        query(c, "check.aggregates", rs -> aggregates = rs.getLong(1));
        query(c, "check.snapshots", rs -> {
            long eventPosition = rs.getLong(4);
            boolean noEvent = rs.wasNull();
            add("snapshots", "jangle_snapshots aggregate '" + rs.getString(1) + "' at version " + rs.getLong(2)
                    + ", position " + rs.getLong(3) + ": " + (noEvent ? "its stream has no event at that version"
                    : "that version's event is at position " + eventPosition + " (or the row has NULL columns)"));
        });
        query(c, "check.sagas", rs -> {
            sagas++;
            if (rs.getString(1) == null || rs.getString(2) == null) {
                add("sagas", "jangle_sagas row " + sagas + ": " + Rows.nullColumn(rs.getString(1) == null
                        ? "saga_id" : "saga_type"));
            }
        });
        query(c, "check.sagaEvents", rs -> {
            String at = "jangle_saga_events saga '" + rs.getString(1) + "' version " + rs.getLong(2) + " entry "
                    + rs.getLong(3);
            try {
                UUID id = need(Values.uuid(rs, 4, dialect), "event_id");
                int schema = rs.getInt(6);
                if (rs.wasNull()) throw new IllegalStateException(Rows.nullColumn("schema_version"));
                codec.decode(id, need(rs.getString(5), "type"), schema, need(rs.getString(7), "payload"));
            } catch (RuntimeException e) {
                add("saga histories", at + ": " + message(e));
            }
        });
        query(c, "check.sagaOrphans", rs -> {
            long sagaVersion = rs.getLong(3);
            boolean noSaga = rs.wasNull();
            add("saga histories", "saga '" + rs.getString(1) + "': history up to version " + rs.getLong(2)
                    + (noSaga ? " but no saga row" : " beyond the saga's version " + sagaVersion));
        });
        query(c, "check.deliveries", rs -> {
            long eventPosition = rs.getLong(4);
            boolean noEvent = rs.wasNull();
            add("deliveries", "jangle_deliveries " + rs.getString(2) + " for event " + rs.getString(1)
                    + " at position " + rs.getLong(3) + ": " + (noEvent ? "no such event"
                    : "the event is at position " + eventPosition));
        });
        boolean[] checkpoints = {false};
        query(c, "check.hasCheckpoints", rs -> checkpoints[0] = true);
        if (!checkpoints[0]) {
            notes.add("no table jangle_checkpoints (a store schema older than 3, opened by an older release)");
            return;
        }
        long[] processors = {0};
        query(c, "check.processors", rs -> processors[0] = rs.getLong(1));
        notes.add("jangle_checkpoints: " + processors[0] + " processors checked");
        query(c, "check.checkpoints", rs -> add("checkpoints", "jangle_checkpoints processor '" + rs.getString(1)
                + "' segment " + rs.getInt(2) + " of " + rs.getInt(3) + " at position " + rs.getLong(4)
                + ": a segment must be in 0..segments-1 with one segment count per processor, and a position in 0.."
                + rs.getLong(5) + " (the feed's head)"));
    }

    private interface RowAction {
        void accept(ResultSet rs) throws SQLException;
    }

    private void query(Connection c, String name, RowAction action) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.get(name)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) action.accept(rs);
        } catch (SQLException e) {
            if (sql.dialect() == SqlDialect.POSTGRESQL) throw e; // the transaction is aborted; report the fault
            add("integrity", name.substring("check.".length()) + " could not be read: " + e.getMessage());
        }
    }

    private static <T> T need(T value, String column) {
        if (value == null) throw new IllegalStateException(Rows.nullColumn(column));
        return value;
    }

    private static String message(RuntimeException e) {
        if (e instanceof JangleException || e instanceof IllegalStateException) return e.getMessage();
        return e.getClass().getSimpleName() + ": " + e.getMessage(); // a value its column cannot hold
    }
}
