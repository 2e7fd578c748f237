package jangle.kafka;

import jangle.Aggregate;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventRecord;
import jangle.JangleBuilder;
import jangle.Projection;
import jangle.ReconstituteState;
import jangle.ValidateCommand;
import jangle.jdbc.JdbcDatabase;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A tiny domain for the Kafka tests: tallies that add amounts, and a read model that applies each tally's events
 * exactly once in effect. The read model keeps (tally, last version, total): a repeat (version at or below the last)
 * is ignored and counted, a gap (version beyond last + 1) throws, so an out-of-order delivery cannot pass unseen.
 */
final class Tally {
    private Tally() {
    }

    sealed interface TallyCommand extends Command permits Add { }

    record Add(String tallyId, BigDecimal amount) implements TallyCommand {
        @Override
        public String aggregateId() {
            return tallyId;
        }
    }

    sealed interface TallyEvent extends Event permits Added { }

    record Added(String tallyId, BigDecimal amount) implements TallyEvent { }

    static final class TallyAggregate extends Aggregate {
        TallyAggregate(String id) {
            super(id);
        }

        @ValidateCommand
        CommandResponse add(Add c) {
            post(new Added(id(), c.amount()));
            return CommandResponse.accepted();
        }

        @ReconstituteState
        void on(Added e) {
            // the tally keeps no state: every addition is valid
        }
    }

    static JangleBuilder register(JangleBuilder b) {
        return b.commands(TallyCommand.class).events(TallyEvent.class).aggregate(TallyAggregate.class,
                TallyAggregate::new);
    }

    /** The read model "tallies" in its own SQLite database. */
    static final class Totals implements Projection<Added> {
        static final String NAME = "tallies";
        private final JdbcDatabase db;

        Totals(JdbcDatabase db) {
            this.db = db;
            db.inTransaction(c -> {
                try (var s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS tally (id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                            + "total TEXT NOT NULL, repeats INTEGER NOT NULL)");
                }
                return null;
            });
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Set<Class<? extends Added>> eventTypes() {
            return Set.of(Added.class);
        }

        @Override
        public void handle(EventRecord<? extends Added> record) {
            Added e = record.event();
            db.inTransaction(c -> {
                long version = 0;
                BigDecimal total = BigDecimal.ZERO;
                long repeats = 0;
                try (PreparedStatement ps = c.prepareStatement("SELECT version, total, repeats FROM tally WHERE id = ?")) {
                    ps.setString(1, record.aggregateId());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            version = rs.getLong(1);
                            total = new BigDecimal(rs.getString(2));
                            repeats = rs.getLong(3);
                        }
                    }
                }
                if (record.version() > version + 1) {
                    throw new IllegalStateException("gap: " + record.aggregateId() + " at " + version + " got "
                            + record.version());
                }
                boolean repeat = record.version() <= version;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO tally (id, version, total, repeats) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
                        + "total = excluded.total, repeats = excluded.repeats")) {
                    ps.setString(1, record.aggregateId());
                    ps.setLong(2, repeat ? version : record.version());
                    ps.setString(3, (repeat ? total : total.add(e.amount())).toPlainString());
                    ps.setLong(4, repeat ? repeats + 1 : repeats);
                    ps.executeUpdate();
                }
                return null;
            });
        }

        /** id → {version, total, repeats}. */
        Map<String, Row> rows() {
            return db.read(c -> {
                Map<String, Row> out = new HashMap<>();
                try (var s = c.createStatement(); var rs = s.executeQuery("SELECT id, version, total, repeats FROM tally")) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new Row(rs.getLong(2), new BigDecimal(rs.getString(3)), rs.getLong(4)));
                    }
                }
                return out;
            });
        }
    }

    record Row(long version, BigDecimal total, long repeats) { }
}
