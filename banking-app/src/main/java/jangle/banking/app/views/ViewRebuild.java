package jangle.banking.app.views;

import jangle.EventRecord;
import jangle.ReplayListener;
import jangle.ReplayResult;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;
import jangle.jdbc.SqlScripts;
import jangle.spi.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rebuilds the {@code bank-views} tables without taking them away from their readers (R6, R7; issue 12 item 6).
 *
 * <ol>
 *   <li><b>Fill.</b> Drops what a crashed rebuild left ({@link ViewGeneration#NEXT}), creates the next generation's
 *       tables from the schema template and fills them from position 0 in batches, each its own transaction, pass
 *       after pass until it is within one batch of the head. Queries and live dispatch (in this process or others on
 *       the same database) keep using the live tables. The secondary indexes are built after the fill.</li>
 *   <li><b>Swap</b>, one transaction. PostgreSQL first locks the live tables ({@code ACCESS EXCLUSIVE}, waiting at
 *       most 500 ms, else the swap is tried again), so no live projection batch commits view rows meanwhile; on
 *       SQLite the write transaction is the only writer. It then applies the feed up to the head, which is at least
 *       every bank-views checkpoint (the live processor never redelivers what its checkpoints passed; what it
 *       delivers above them lands on the new tables and changes nothing, the upserts converging, R5), drops the live
 *       tables, renames the next ones to the live names and gives their indexes and constraints the live names
 *       (PostgreSQL renames them; SQLite cannot rename an index, so the swap creates the secondary indexes there).</li>
 * </ol>
 *
 * A crash at any moment leaves the old generation serving (the swap had not committed) or the new one (it had), and
 * perhaps an unfinished next generation, which the start-up's schema script ignores and the next rebuild drops. Two
 * rebuilds of one database must not run at once: {@code BankingApplication.rebuild} holds a {@link RebuildGuard} (R8). A failed rebuild drops its next generation and leaves
 * the live tables as they were.
 */
public final class ViewRebuild {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.banking.app");
    /** Fill passes before the swap takes the rest in its own transaction, whatever the head does meanwhile. */
    private static final int MAX_PASSES = 10;
    /** Swap attempts when PostgreSQL's lock wait runs out or a deadlock is detected (or SQLite stays busy). */
    private static final int SWAP_ATTEMPTS = 20;

    /** Progress of a rebuild: {@link ReplayListener#progress} after each batch, and the moment of the swap. */
    public interface Listener extends ReplayListener {
        /**
         * Called inside the swap transaction, its locks held, after the new generation took the live names and just
         * before the commit: the new read models serve from the commit on. Keep it short.
         */
        default void swapping(long position) {
        }

        /** {@code listener} with no swap notice ({@code null} reports nothing). */
        static Listener of(ReplayListener listener) {
            if (listener instanceof Listener l) return l;
            ReplayListener p = listener == null ? ReplayListener.NONE : listener;
            return p::progress;
        }
    }

    /**
     * Totals of a rebuild: the feed records read into the new generation, the position up to which it was built
     * when it took over ({@code swappedAt}), the whole time and the time the swap transaction took.
     */
    public record Result(long events, long swappedAt, Duration elapsed, Duration swap) {
        public ReplayResult asReplayResult() {
            return new ReplayResult(events, swappedAt, elapsed);
        }
    }

    private final JdbcDatabase db;
    private final SqlDialect dialect;
    private final EventStore store;
    private final int batchSize;
    private final NamedSql sql;
    private final BankViews next;

    public ViewRebuild(JdbcDatabase db, EventStore store, int batchSize) {
        this.db = db;
        this.dialect = db.dialect();
        this.store = store;
        this.batchSize = batchSize;
        this.sql = NamedSql.load("jangle/banking/views/rebuild-" + dialect.name().toLowerCase(Locale.ROOT) + ".sql");
        this.next = new BankViews(db, ViewGeneration.NEXT);
    }

    /** Builds the next generation from position 0 and swaps it in; see the class comment. */
    public Result run(ReplayListener progress) {
        Listener listener = Listener.of(progress);
        long started = System.nanoTime();
        dropNext();
        try {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    for (String statement : schema(ViewGeneration.NEXT, false)) s.execute(statement);
                }
                return null;
            });
            Fill fill = new Fill(started, listener);
            for (int pass = 0; pass < MAX_PASSES; pass++) {
                fill.upTo(store.lastPosition());
                if (store.lastPosition() - fill.after <= batchSize) break;
            }
            if (dialect == SqlDialect.POSTGRESQL) {
                // renamable indexes: built beside the live ones, before the swap, so the swap holds its locks briefly
                db.inTransaction(c -> {
                    try (Statement s = c.createStatement()) {
                        for (String statement : indexes(ViewGeneration.NEXT)) s.execute(statement);
                    }
                    return null;
                });
                fill.upTo(store.lastPosition());
            }
            long[] swapNanos = new long[1];
            long swappedAt = swapWithRetries(fill, listener, swapNanos);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            LOG.atInfo().addKeyValue("point", "bank.rebuilt").addKeyValue("position", swappedAt)
                    .addKeyValue("swapMillis", swapNanos[0] / 1_000_000)
                    .log("bank-views rebuilt up to position {} and switched in", swappedAt);
            return new Result(fill.events, swappedAt, elapsed, Duration.ofNanos(swapNanos[0]));
        } catch (RuntimeException | Error e) {
            try {
                dropNext();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Drops the next generation's tables, if any: a crashed or failed rebuild's leftovers. */
    public void dropNext() {
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                for (String table : ViewGeneration.NEXT.identifiers().values()) {
                    s.execute(render("drop_table", Map.of("table", table)));
                }
            }
            return null;
        });
    }

    /** The position up to which the next generation is filled, and the records read so far. */
    private final class Fill {
        private final long started;
        private final Listener listener;
        long after;
        long events;

        Fill(long started, Listener listener) {
            this.started = started;
            this.listener = listener;
        }

        /** Fills the next generation up to {@code head}, one transaction per batch. */
        void upTo(long head) {
            while (after < head) {
                List<EventRecord<?>> page = page(head);
                if (page.isEmpty()) break;
                next.handleBatch(BankViews.bankEvents(page));
                advance(page, head);
            }
        }

        /** Fills up to {@code head} on {@code c}, the swap's transaction. */
        void upTo(long head, Connection c) throws SQLException {
            while (after < head) {
                List<EventRecord<?>> page = page(head);
                if (page.isEmpty()) break;
                next.write(c, BankViews.bankEvents(page));
                advance(page, head);
            }
        }

        private List<EventRecord<?>> page(long head) {
            List<EventRecord<?>> page = store.readFeed(after, batchSize);
            List<EventRecord<?>> upTo = new ArrayList<>(page.size());
            for (EventRecord<?> r : page) if (r.position() <= head) upTo.add(r);
            return upTo;
        }

        private void advance(List<EventRecord<?>> page, long head) {
            after = page.getLast().position();
            events += page.size();
            double seconds = (System.nanoTime() - started) / 1e9;
            listener.progress(events, Math.max(events, head), seconds <= 0 ? events : events / seconds);
        }
    }

    private long swapWithRetries(Fill fill, Listener listener, long[] swapNanos) {
        for (int attempt = 1; ; attempt++) {
            long t0 = System.nanoTime();
            try {
                long position = db.inTransaction(c -> swap(c, fill, listener));
                swapNanos[0] = System.nanoTime() - t0;
                return position;
            } catch (RuntimeException e) {
                if (attempt >= SWAP_ATTEMPTS || !lockContention(e)) throw e;
                LOG.atInfo().addKeyValue("point", "bank.rebuild-swap-retry").addKeyValue("attempt", attempt)
                        .log("the swap of bank-views met a lock ({}); trying again", e.getMessage());
                sleep(50L * attempt);
                fill.upTo(store.lastPosition());
            }
        }
    }

    /** The swap transaction: see the class comment. Returns the position the new generation is built up to. */
    private long swap(Connection c, Fill fill, Listener listener) throws SQLException {
        long mark = fill.after;
        long markEvents = fill.events;
        try {
            try (Statement s = c.createStatement()) {
                if (dialect == SqlDialect.POSTGRESQL) {
                    s.execute(sql.get("lock_wait"));
                    s.execute(ViewGeneration.LIVE.render(sql.get("lock_live"), Map.of()));
                }
            }
            long checkpoint;
            try (PreparedStatement ps = c.prepareStatement(sql.get("checkpoint_max"))) {
                ps.setString(1, BankViews.NAME);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    checkpoint = rs.getLong(1);
                }
            }
            // the head, read after the lock: every event a live batch wrote into the old tables is at or below it
            long target = Math.max(checkpoint, store.lastPosition());
            fill.upTo(target, c);
            try (Statement s = c.createStatement()) {
                for (String table : BankViews.VIEW_TABLES) {
                    s.execute(render("drop_table", Map.of("table", ViewGeneration.LIVE.table(table))));
                    s.execute(render("rename_table", Map.of("from", ViewGeneration.NEXT.table(table),
                            "to", ViewGeneration.LIVE.table(table))));
                }
                if (dialect == SqlDialect.POSTGRESQL) {
                    for (String table : BankViews.VIEW_TABLES) canonicalNames(c, s, table);
                } else {
                    for (String statement : indexes(ViewGeneration.LIVE)) s.execute(statement);
                }
            }
            listener.swapping(fill.after);
            return fill.after;
        } catch (SQLException | RuntimeException e) {
            fill.after = mark; // rolled back: those positions are not in the next generation
            fill.events = markEvents;
            throw e;
        }
    }

    /**
     * Renames the indexes and constraints of the table now called {@code table} from the next generation's names
     * ({@code transactions_next_...}) to the live ones ({@code transactions_...}), freed by the drop just before.
     */
    private void canonicalNames(Connection c, Statement s, String table) throws SQLException {
        String from = ViewGeneration.NEXT.table(table);
        for (String constraint : names(c, "constraint_names", table)) {
            if (!constraint.startsWith(from)) continue;
            s.execute(render("rename_constraint", Map.of("table", table, "from", constraint,
                    "to", table + constraint.substring(from.length()))));
        }
        for (String index : names(c, "index_names", table)) {
            if (!index.startsWith(from)) continue;
            s.execute(render("rename_index", Map.of("from", index, "to", table + index.substring(from.length()))));
        }
    }

    private List<String> names(Connection c, String statement, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.get(statement))) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The schema template's statements that name a view table, for {@code generation}; indexes only if asked. */
    private List<String> schema(ViewGeneration generation, boolean withIndexes) {
        List<String> out = new ArrayList<>();
        for (String template : SqlScripts.statements(BankViews.schemaResource(dialect))) {
            if (!template.contains("{")) continue; // a lookup table: one generation, already there
            if (!withIndexes && isIndex(template)) continue;
            out.add(generation.render(template, Map.of()));
        }
        return out;
    }

    /** The secondary indexes of the view tables, named for {@code generation}. */
    private List<String> indexes(ViewGeneration generation) {
        return schema(generation, true).stream().filter(ViewRebuild::isIndex).toList();
    }

    private static boolean isIndex(String statement) {
        return statement.regionMatches(true, 0, "CREATE INDEX", 0, "CREATE INDEX".length());
    }

    private String render(String statement, Map<String, String> names) {
        return SqlScripts.render(sql.get(statement), names);
    }

    /** A lock wait that ran out, a deadlock, or a busy SQLite file: worth another swap attempt. */
    private static boolean lockContention(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException q) {
                String state = q.getSQLState();
                if ("55P03".equals(state) || "40P01".equals(state)) return true;
                int primary = q.getErrorCode() & 0xff; // SQLITE_BUSY, SQLITE_LOCKED and their extended codes
                if (q.getClass().getName().startsWith("org.sqlite") && (primary == 5 || primary == 6)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying the swap of bank-views", e);
        }
    }
}
