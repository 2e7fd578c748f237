package jangle.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Statements gathered for one transaction and sent together: one JDBC batch per distinct statement text. On
 * PostgreSQL the driver sends a batch in one round trip instead of one per statement, which is what a read-model write
 * on a network database waits for; on SQLite it saves re-preparing.
 *
 * <p><b>Only for statements whose relative order does not matter.</b> Statements of one text on one row
 * ({@link SqlStatement#key}) run in the order added; anything else may run in another order (see "One lock order"
 * below). The upserts of {@link VersionedUpsert} qualify: they converge whatever the order or number of deliveries
 * (V3), which is exactly why regrouping them is safe. Plain inserts, deletes or updates that depend on one another do
 * not.
 *
 * <p><b>One row twice.</b> Jangle's PostgreSQL connections rewrite a batch of inserts into one multi-row statement
 * ({@code reWriteBatchedInserts}), and PostgreSQL refuses an {@code ON CONFLICT DO UPDATE} that reaches the same row
 * twice in one statement. So the rows of one text are sent in rounds: the n-th statement on one
 * {@link SqlStatement#key} goes in round n. Per row, the order added is kept.
 *
 * <p><b>One lock order (V7).</b> Texts run in the order of the texts themselves, and the rows of one round in the
 * order of their keys, not in the order added. Two batches in concurrent transactions (two segments of one projection,
 * or two nodes) that write some of the same rows then take those rows' locks in the same order: the later one waits
 * for the earlier one's commit instead of each holding a row the other needs, which PostgreSQL breaks only after its
 * {@code deadlock_timeout} (a second by default) by failing one of them. Rows without a key keep the order added and
 * run first in their round.
 *
 * <p><b>One row many times (V8).</b> Statements of one text on one key that say they may be merged
 * ({@link SqlStatement.Merge}, set by {@link VersionedUpsert}) are sent as the one whose effect stands.
 *
 * <p>Not thread-safe; build one per unit of work.
 */
public final class SqlBatch {
    private final Map<String, List<SqlStatement>> bySql = new TreeMap<>(); // V7: texts in one order
    private int size;

    /** Adds {@code statement} to the batch of its text. */
    public SqlBatch add(SqlStatement statement) {
        Objects.requireNonNull(statement, "statement");
        bySql.computeIfAbsent(statement.sql(), k -> new ArrayList<>()).add(statement);
        size++;
        return this;
    }

    /** The number of statements added and not yet executed. */
    public int size() {
        return size;
    }

    /**
     * Executes every statement added on {@code connection} (for example one lent by {@link JdbcDatabase#inTransaction},
     * whose compiled statements are then reused), binding values as {@link SqlStatement#execute} does, and empties the
     * batch. A failure leaves the batch as it was and the caller's transaction to roll back.
     *
     * @return the number of statements added; one merged into another that stands (V8) counts, since its effect is
     * in that one
     */
    public int execute(Connection connection) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        Session lent = Session.lentFor(connection);
        SqlDialect dialect = lent != null ? lent.dialect() : SqlStatement.dialectOf(connection);
        for (Map.Entry<String, List<SqlStatement>> e : bySql.entrySet()) {
            if (lent != null) { // compiled statement kept by the session, not closed here
                run(lent.prepare(e.getKey()), dialect, e.getValue());
            } else {
                try (PreparedStatement ps = connection.prepareStatement(e.getKey())) {
                    run(ps, dialect, e.getValue());
                }
            }
        }
        int executed = size;
        bySql.clear();
        size = 0;
        return executed;
    }

    private static void run(PreparedStatement ps, SqlDialect dialect, List<SqlStatement> added) throws SQLException {
        List<SqlStatement> rows = added.size() == 1 ? added : merged(added);
        if (rows.size() == 1) { // no batch bookkeeping for a lone statement
            rows.get(0).bind(ps, dialect);
            ps.executeUpdate();
            return;
        }
        for (List<SqlStatement> round : rounds(rows)) {
            try {
                for (SqlStatement row : round) {
                    row.bind(ps, dialect);
                    ps.addBatch();
                }
                ps.executeBatch();
            } finally {
                ps.clearBatch(); // a cached statement must not carry rows into its next use
            }
        }
    }

    /**
     * V8: of the statements (of one text) on one key whose {@link SqlStatement.Merge} allows it, only the one that
     * stands runs, in the place of the first of them; the others would change nothing after it, whatever the order.
     * A key with a statement that may not be merged keeps all of its statements.
     */
    private static List<SqlStatement> merged(List<SqlStatement> rows) {
        boolean mergeable = false;
        for (SqlStatement row : rows) mergeable |= !(row.merge() instanceof SqlStatement.Merge.Never);
        if (!mergeable) return rows; // the usual case for a text that may not merge: no keys built twice
        List<SqlStatement> out = new ArrayList<>(rows.size());
        Map<List<Object>, Integer> standing = new HashMap<>(); // key -> index in out of the statement that stands
        java.util.Set<List<Object>> unmerged = new java.util.HashSet<>();
        for (SqlStatement row : rows) {
            if (row.key().isEmpty()) {
                out.add(row);
                continue;
            }
            List<Object> key = keyOf(row);
            Integer at = standing.get(key);
            if (row.merge() instanceof SqlStatement.Merge.Never || unmerged.contains(key)
                    || (at != null && !out.get(at).merge().equals(row.merge()))) {
                unmerged.add(key);
                standing.remove(key);
                out.add(row);
            } else if (at == null) {
                standing.put(key, out.size());
                out.add(row);
            } else if (row.merge() instanceof SqlStatement.Merge.HighestVersion(int v)
                    && (Long) row.parameters().get(v) > (Long) out.get(at).parameters().get(v)) {
                out.set(at, row); // FirstStands, or a version not above the held one: the held one stands
            }
        }
        return out;
    }

    private static List<Object> keyOf(SqlStatement row) {
        List<Object> key = new ArrayList<>(row.key().size());
        for (int k : row.key()) key.add(row.parameters().get(k));
        return key;
    }

    /**
     * {@code rows} in rounds: the n-th statement on one key goes to round n, so no round has a key twice and each
     * key's statements keep their order. Statements without a key all go to the first round, ahead of the keyed ones;
     * within a round the keyed rows are in key order (V7).
     */
    private static List<List<SqlStatement>> rounds(List<SqlStatement> rows) {
        List<List<SqlStatement>> rounds = new ArrayList<>(2);
        rounds.add(new ArrayList<>(rows.size()));
        Map<List<Object>, Integer> seen = new HashMap<>();
        for (SqlStatement row : rows) {
            int round = 0;
            if (!row.key().isEmpty()) round = seen.merge(keyOf(row), 1, Integer::sum) - 1;
            if (round == rounds.size()) rounds.add(new ArrayList<>());
            rounds.get(round).add(row);
        }
        for (List<SqlStatement> round : rounds) round.sort(SqlBatch::byKey); // stable: keyless rows keep their order
        return rounds;
    }

    /** Keyless rows first (equal among themselves), then the key's values compared one by one. */
    private static int byKey(SqlStatement a, SqlStatement b) {
        if (a.key().isEmpty() || b.key().isEmpty()) return Boolean.compare(!a.key().isEmpty(), !b.key().isEmpty());
        for (int i = 0; i < a.key().size() && i < b.key().size(); i++) {
            int c = compareValues(a.parameters().get(a.key().get(i)), b.parameters().get(b.key().get(i)));
            if (c != 0) return c;
        }
        return Integer.compare(a.key().size(), b.key().size());
    }

    /** A total order over bound values: nulls first, then by type, then by the type's own order or its text. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) return Boolean.compare(a != null, b != null);
        if (a.getClass() != b.getClass()) return a.getClass().getName().compareTo(b.getClass().getName());
        if (a instanceof byte[] x) return java.util.Arrays.compare(x, (byte[]) b);
        if (a instanceof Comparable c) return c.compareTo(b);
        return String.valueOf(a).compareTo(String.valueOf(b));
    }
}
