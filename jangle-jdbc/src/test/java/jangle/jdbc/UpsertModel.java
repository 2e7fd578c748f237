package jangle.jdbc;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small read model written only through {@link VersionedUpsert}: the table of {@code upsert/<dialect>.sql}, the
 * events that feed it, a random history generator, and a dialect-neutral row reader.
 */
final class UpsertModel {
    private UpsertModel() {
    }

    /** One delivered event, already reduced to what the projection needs. */
    sealed interface Ev permits Opened, Renamed, Balance, Frozen, Closed {
        String account();

        long version();
    }

    record Opened(String account, long version, String name, Instant at) implements Ev {
    }

    record Renamed(String account, long version, String name) implements Ev {
    }

    record Balance(String account, long version, BigDecimal amount) implements Ev {
    }

    record Frozen(String account, long version) implements Ev {
    }

    record Closed(String account, long version) implements Ev {
    }

    /** Lifecycle ranks (V3): a state column fed by several events is versioned by a rank that only grows. */
    static final long OPEN = 1;
    static final long FROZEN = 2;
    static final long CLOSED = 3;

    /** The projection: one upsert (or two) per event. */
    static void apply(Connection c, SqlDialect dialect, Ev e) throws SQLException {
        for (SqlStatement st : statements(dialect, e)) st.execute(c);
    }

    /** The statements {@link #apply} runs for {@code e}, in its order. */
    static List<SqlStatement> statements(SqlDialect dialect, Ev e) {
        List<SqlStatement> out = new ArrayList<>(2);
        VersionedUpsert u = VersionedUpsert.into("accounts").key("id", e.account());
        switch (e) {
            case Opened o -> u.versioned("name", o.name(), "name_version", o.version())
                    .fillIfNull("opened_at", o.at())
                    .versioned("status", "OPEN", "status_rank", OPEN)
                    .versioned("deleted", false, "status_rank", OPEN);
            case Renamed r -> u.versioned("name", r.name(), "name_version", r.version());
            case Balance b -> {
                u.versioned("amount", b.amount(), "amount_version", b.version());
                out.add(VersionedUpsert.into("movements").key("account_id", b.account()).key("version", b.version())
                        .always("amount", b.amount()).insertOnly().build(dialect));
            }
            case Frozen f -> u.versioned("status", "FROZEN", "status_rank", FROZEN)
                    .versioned("deleted", false, "status_rank", FROZEN);
            case Closed x -> u.versioned("status", "CLOSED", "status_rank", CLOSED)
                    .versioned("deleted", true, "status_rank", CLOSED);
        }
        out.add(u.build(dialect));
        return out;
    }

    /** A random but valid history: per account Opened v1, then renames and balances, maybe frozen, maybe closed. */
    static List<Ev> history(long seed, int accounts) {
        Random random = new Random(seed);
        List<Ev> out = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            String id = "acc-" + a;
            long v = 1;
            out.add(new Opened(id, v, "name-" + a, Instant.parse("2026-03-01T10:15:30.000001Z").plusSeconds(a)));
            int steps = 1 + random.nextInt(8);
            BigDecimal amount = BigDecimal.ZERO.setScale(2);
            for (int s = 0; s < steps; s++) {
                v++;
                if (random.nextInt(3) == 0) {
                    out.add(new Renamed(id, v, "name-" + a + "-" + v));
                } else {
                    amount = amount.add(new BigDecimal(random.nextInt(20_000) - 10_000).movePointLeft(2));
                    out.add(new Balance(id, v, amount));
                }
            }
            if (random.nextBoolean()) out.add(new Frozen(id, ++v));
            if (random.nextInt(3) == 0) out.add(new Closed(id, ++v));
        }
        return out;
    }

    /** Every row of both tables, rendered the same way on both dialects. */
    static List<String> rows(Connection c, SqlDialect dialect) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, name, name_version, amount, amount_version, opened_at, status, deleted, status_rank, "
                        + "touched FROM accounts ORDER BY id")) {
            while (rs.next()) {
                out.add(String.join("|", rs.getString(1), rs.getString(2), text(rs, 3),
                        decimal(rs, 4), text(rs, 5), String.valueOf(Values.instant(rs, 6, dialect)), rs.getString(7),
                        bool(rs, 8), text(rs, 9), rs.getString(10)));
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT account_id, version, amount FROM movements ORDER BY account_id, version")) {
            while (rs.next()) out.add(String.join("|", rs.getString(1), text(rs, 2), decimal(rs, 3)));
        }
        return out;
    }

    private static String text(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? "null" : Long.toString(v);
    }

    /** Exact decimal text: SQLite keeps it as TEXT, PostgreSQL numeric keeps the scale too. */
    private static String decimal(ResultSet rs, int column) throws SQLException {
        String v = rs.getString(column);
        return v == null ? "null" : new BigDecimal(v).toPlainString();
    }

    private static String bool(ResultSet rs, int column) throws SQLException {
        boolean v = rs.getBoolean(column);
        return rs.wasNull() ? "null" : Boolean.toString(v);
    }
}
