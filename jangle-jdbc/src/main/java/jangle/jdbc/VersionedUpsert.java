package jangle.jdbc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds one insert-or-update statement for a read-model row that converges whatever the order or number of
 * deliveries (§11, V1–V6). It builds; it never executes ({@link SqlStatement#execute} does).
 *
 * <pre>{@code
 * SqlStatement st = VersionedUpsert.into("accounts")
 *         .key("id", accountId)
 *         .versioned("name", name, "name_version", version)
 *         .versioned("amount", amount, "amount_version", version)
 *         .build(db.dialect());
 * db.inTransaction(st::execute);
 * }</pre>
 *
 * <p>Semantics when the key already exists, all compared against the row <em>as it was before</em> the statement
 * (in {@code ON CONFLICT DO UPDATE}, {@code table.col} is the old row and {@code excluded.col} the proposed one, on
 * both SQLite 3.24+ and PostgreSQL 12+):
 * <ul>
 *   <li>{@code versioned(col, v, versionCol, n)}: {@code col} and {@code versionCol} take the new values only when the
 *   stored version is {@code NULL} or less than {@code n}; an equal version changes nothing. Several value columns
 *   may share one version column (they then change together, V2); all of them must then carry the same version.</li>
 *   <li>{@code fillIfNull(col, v)}: written only when the stored value is {@code NULL} (write-once facts).</li>
 *   <li>{@code always(col, v)}: always overwritten (only for values that do not depend on order).</li>
 *   <li>{@code insertOnly()}: an existing row is left alone ({@code DO NOTHING}).</li>
 * </ul>
 * The update carries a {@code WHERE} that is true only when some column would change (unless an {@code always}
 * column is present), so the update count tells whether the row changed, identically on both dialects.
 *
 * <p>Identifiers must match {@code [A-Za-z_][A-Za-z0-9_]*} and are double-quoted; values are always bound (V5).
 * Not thread-safe: build one per statement.
 */
public final class VersionedUpsert {

    private enum Kind { KEY, VERSIONED, VERSION, FILL_IF_NULL, ALWAYS }

    private record Column(String name, Object value, Kind kind, String versionColumn) {
    }

    /**
     * Statement texts and merges (V8) by shape (table, columns in order with their kinds and version columns,
     * insert-only). A read model builds the same few shapes for every row, and building the text was about a fifth of
     * everything the bank's load allocated. Both are pure functions of the shape, so this memo changes no behaviour; it
     * stops growing at {@link #MAX_SHAPES} (a caller that makes shapes from data still gets correct text, just not
     * cached).
     */
    private static final java.util.concurrent.ConcurrentHashMap<Shape, Built> TEXTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** What a shape builds into, whatever the values. */
    private record Built(String text, SqlStatement.Merge merge) {
    }
    private static final int MAX_SHAPES = 4_096;

    /** The part of a statement its text depends on. */
    private static final class Shape {
        private final String table;
        private final boolean insertOnly;
        private final String[] names;
        private final Kind[] kinds;
        private final String[] versionColumns;
        private final int hash;

        Shape(String table, boolean insertOnly, java.util.Collection<Column> columns) {
            this.table = table;
            this.insertOnly = insertOnly;
            int n = columns.size();
            names = new String[n];
            kinds = new Kind[n];
            versionColumns = new String[n];
            int i = 0;
            int h = table.hashCode() * 31 + (insertOnly ? 1 : 0);
            for (Column c : columns) {
                names[i] = c.name();
                kinds[i] = c.kind();
                versionColumns[i] = c.versionColumn();
                h = (h * 31 + c.name().hashCode()) * 31 + c.kind().ordinal();
                i++;
            }
            hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape other && hash == other.hash && insertOnly == other.insertOnly
                    && table.equals(other.table) && java.util.Arrays.equals(names, other.names)
                    && java.util.Arrays.equals(kinds, other.kinds)
                    && java.util.Arrays.equals(versionColumns, other.versionColumns);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final String table;
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private final Map<String, Long> versions = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private boolean insertOnly;

    private VersionedUpsert(String table) {
        this.table = identifier(table);
    }

    /** Starts a statement for {@code table}. */
    public static VersionedUpsert into(String table) {
        return new VersionedUpsert(table);
    }

    /** A key column: written on insert, identifies the row; the conflict target is exactly the key columns (V1). */
    public VersionedUpsert key(String column, Object value) {
        if (value == null) problems.add("key column '" + column + "' has a null value");
        return add(new Column(identifier(column), value, Kind.KEY, null));
    }

    /** A value column guarded by {@code versionColumn}: written only when the stored version is null or lower. */
    public VersionedUpsert versioned(String column, Object value, String versionColumn, long version) {
        String vc = identifier(versionColumn);
        Long held = versions.get(vc);
        if (held == null) {
            versions.put(vc, version);
            add(new Column(vc, version, Kind.VERSION, null));
        } else if (held != version) {
            problems.add("version column '" + vc + "' is given versions " + held + " and " + version
                    + "; the columns it guards must change together (V2)");
        }
        return add(new Column(identifier(column), value, Kind.VERSIONED, vc));
    }

    /** A value column written only while the stored value is null (write-once facts). */
    public VersionedUpsert fillIfNull(String column, Object value) {
        return add(new Column(identifier(column), value, Kind.FILL_IF_NULL, null));
    }

    /** A value column always overwritten; only for values that do not depend on delivery order. */
    public VersionedUpsert always(String column, Object value) {
        return add(new Column(identifier(column), value, Kind.ALWAYS, null));
    }

    /** An existing row is left unchanged (one-row-per-event tables). */
    public VersionedUpsert insertOnly() {
        this.insertOnly = true;
        return this;
    }

    private VersionedUpsert add(Column c) {
        if (columns.putIfAbsent(c.name(), c) != null) {
            problems.add("column '" + c.name() + "' is given twice (or is both a value and a version column)");
        }
        return this;
    }

    private static String identifier(String name) {
        Objects.requireNonNull(name, "identifier");
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException("'" + name + "' is not an identifier of [A-Za-z_][A-Za-z0-9_]* (V5)");
        }
        return name;
    }

    /** {@code [A-Za-z_][A-Za-z0-9_]*}, without a regex: it runs for every column of every upsert. */
    private static boolean isIdentifier(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) return false;
        }
        return true;
    }

    private static String q(String identifier) {
        return '"' + identifier + '"';
    }

    /**
     * The statement and its parameters for {@code dialect}. Throws {@link IllegalStateException} without a key column
     * or a value column (V1), or when the builder was given contradictory columns (V2).
     */
    public SqlStatement build(SqlDialect dialect) {
        Objects.requireNonNull(dialect, "dialect");
        List<String> errors = new ArrayList<>(problems);
        List<Column> keys = new ArrayList<>(2);
        List<Column> values = new ArrayList<>(columns.size());
        for (Column c : columns.values()) (c.kind() == Kind.KEY ? keys : values).add(c);
        if (keys.isEmpty()) errors.add("at least one key column is required (V1)");
        if (values.isEmpty()) errors.add("at least one value column is required (V1)");
        if (!errors.isEmpty()) {
            throw new IllegalStateException("invalid upsert into '" + table + "': " + String.join("; ", errors));
        }
        List<Object> params = new ArrayList<>(columns.size());
        List<Integer> keyPositions = new ArrayList<>(keys.size());
        for (Column c : columns.values()) {
            if (c.kind() == Kind.KEY) keyPositions.add(params.size());
            params.add(c.value());
        }
        Shape shape = new Shape(table, insertOnly, columns.values());
        Built built = TEXTS.get(shape);
        if (built == null) {
            built = new Built(text(keys, values), merge(values));
            if (TEXTS.size() < MAX_SHAPES) TEXTS.putIfAbsent(shape, built);
        }
        return new SqlStatement(built.text(), params, keyPositions, built.merge());
    }

    /**
     * V8: insert-only rows keep the first statement's values; rows whose every value column is guarded by one version
     * column end with the highest version's values whatever the order. Anything else (a fill-if-null or always
     * column, two version columns) depends on every statement, so each one runs.
     */
    private SqlStatement.Merge merge(List<Column> values) {
        if (insertOnly) return new SqlStatement.Merge.FirstStands();
        int at = -1;
        int position = 0;
        for (Column c : columns.values()) {
            switch (c.kind()) {
                case VERSION -> {
                    if (at >= 0) return new SqlStatement.Merge.Never();
                    at = position;
                }
                case FILL_IF_NULL, ALWAYS -> {
                    return new SqlStatement.Merge.Never();
                }
                case KEY, VERSIONED -> { }
            }
            position++;
        }
        return at >= 0 && !values.isEmpty() ? new SqlStatement.Merge.HighestVersion(at) : new SqlStatement.Merge.Never();
    }

    /** The statement's text; depends only on the {@link Shape}. */
    private String text(List<Column> keys, List<Column> values) {
        String t = q(table);
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(t).append(" (");
        StringBuilder marks = new StringBuilder();
        boolean any = false;
        for (Column c : columns.values()) {
            if (any) {
                sql.append(", ");
                marks.append(", ");
            }
            any = true;
            sql.append(q(c.name()));
            marks.append('?');
        }
        sql.append(") VALUES (").append(marks).append(") ON CONFLICT (");
        for (int i = 0; i < keys.size(); i++) sql.append(i == 0 ? "" : ", ").append(q(keys.get(i).name()));
        sql.append(')');
        if (insertOnly) return sql.append(" DO NOTHING").toString();

        sql.append(" DO UPDATE SET ");
        Set<String> guards = new LinkedHashSet<>();
        boolean unconditional = false;
        boolean first = true;
        for (Column c : values) {
            String col = q(c.name());
            String expr = switch (c.kind()) {
                case VERSIONED -> caseWhen(newer(t, c.versionColumn()), col, t);
                case VERSION -> caseWhen(newer(t, c.name()), col, t);
                case FILL_IF_NULL -> "COALESCE(" + t + "." + col + ", excluded." + col + ")";
                case ALWAYS -> "excluded." + col;
                case KEY -> throw new IllegalStateException("unreachable");
            };
            switch (c.kind()) {
                case VERSION -> guards.add(newer(t, c.name()));
                case FILL_IF_NULL -> guards.add(t + "." + col + " IS NULL");
                case ALWAYS -> unconditional = true;
                default -> { }
            }
            sql.append(first ? "" : ", ").append(col).append(" = ").append(expr);
            first = false;
        }
        if (!unconditional) sql.append(" WHERE ").append(String.join(" OR ", guards));
        return sql.toString();
    }

    /** True when the incoming version of {@code versionColumn} is newer than the stored one (or none is stored). */
    private static String newer(String table, String versionColumn) {
        String vc = q(versionColumn);
        return "(" + table + "." + vc + " IS NULL OR " + table + "." + vc + " < excluded." + vc + ")";
    }

    private static String caseWhen(String condition, String col, String table) {
        return "CASE WHEN " + condition + " THEN excluded." + col + " ELSE " + table + "." + col + " END";
    }
}
