package jangle.banking.app.load;

import jangle.banking.app.BankingApplication;
import jangle.banking.app.views.NamedSql;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;

import java.sql.ResultSet;
import java.util.OptionalLong;

/**
 * Reads what the store has written so far, so a load run can report commits per command: the database object's own
 * commit counters ({@link JdbcDatabase#writeCounts()}) and, on PostgreSQL, the write-ahead log position.
 */
final class StoreWritesProbe {
    private final JdbcDatabase db;
    private final String walPosition;

    private StoreWritesProbe(JdbcDatabase db, String walPosition) {
        this.db = db;
        this.walPosition = walPosition;
    }

    /** A probe of {@code app}'s database; one that marks nothing in memory. */
    static StoreWritesProbe of(BankingApplication app) {
        if (app.config().memory()) return new StoreWritesProbe(null, null);
        String wal = app.dialect() == SqlDialect.POSTGRESQL
                ? NamedSql.load("jangle/banking/load/postgresql.sql").get("wal.position") : null;
        return new StoreWritesProbe(app.database(), wal);
    }

    /** The counters now; {@code null} in memory. */
    Mark mark() {
        if (db == null) return null;
        OptionalLong wal = walPosition == null ? OptionalLong.empty() : OptionalLong.of(db.read(c -> {
            try (var st = c.createStatement(); ResultSet rs = st.executeQuery(walPosition)) {
                rs.next();
                return rs.getLong(1);
            }
        }));
        return new Mark(db.writeCounts(), wal);
    }

    /** The counters at one moment. */
    record Mark(JdbcDatabase.WriteCounts counts, OptionalLong walPosition) {
        LoadReport.StoreWrites since(Mark earlier) {
            JdbcDatabase.WriteCounts d = counts.since(earlier.counts);
            return new LoadReport.StoreWrites(d.commits(), d.writes(), walPosition.isPresent()
                    && earlier.walPosition.isPresent()
                    ? OptionalLong.of(walPosition.getAsLong() - earlier.walPosition.getAsLong()) : OptionalLong.empty());
        }
    }
}
