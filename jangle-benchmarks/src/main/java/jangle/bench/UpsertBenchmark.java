package jangle.bench;

import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlBatch;
import jangle.jdbc.SqlDialect;
import jangle.jdbc.SqlStatement;
import jangle.jdbc.VersionedUpsert;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 7: the read-model write path, one row per operation. {@link VersionedUpsert} lives in {@code jangle-jdbc}
 * (which this module depends on), so the benchmark calls it exactly as {@code banking-app}'s {@code BankViews} does
 * for a balance change ({@code VersionedUpsert.into("bank_summary").key("account_id", a)
 * .versioned("balance_cents", cents, "balance_version", v).build(dialect).execute(c)}) on a copy of the
 * {@code bank_summary} table; nothing is moved and no production code is changed.
 *
 * <p>The database is a new file opened by {@link JdbcDatabase#sqlite} (WAL, {@code synchronous=NORMAL}, the stores'
 * single writer connection with its compiled-statement cache), in a temp folder, deleted at the end of the trial;
 * {@code -p store=pg-sync} (or another {@link BenchStore} kind) runs the same on an embedded PostgreSQL. 1,000 rows
 * exist before the first operation, each with {@code balance_version} = 1,000,000,000; each operation picks one at
 * random.
 *
 * <ul>
 *   <li>{@code plain} (the anchor): {@code INSERT ... ON CONFLICT (account_id) DO UPDATE SET balance_version =
 *   excluded.balance_version, balance_cents = excluded.balance_cents}, hand-written, no version guard, executed
 *   through the same {@link SqlStatement#execute} on the same lent connection (so also a cached statement).</li>
 *   <li>{@code versioned}: the {@link VersionedUpsert} of the balance with a newer version: builds the statement
 *   (its guard is a {@code CASE} per column and a {@code WHERE}), the row changes (update count 1).</li>
 *   <li>{@code stale}: the same upsert with an older version, as when an event is delivered again or late: the
 *   guard leaves the row alone (update count 0).</li>
 *   <li>{@code build}: only {@code VersionedUpsert...build(dialect)}, no database: the Java share of
 *   {@code versioned}.</li>
 * </ul>
 * Without a suffix each operation is its own transaction ({@code JdbcDatabase.inTransaction}, as
 * {@code Projection.handle}); with {@code Batch} 100 operations share one transaction (as {@code handleBatch} and
 * replay), so the commit is amortised and the statement itself shows. Every operation checks its update count,
 * except {@code versionedSqlBatch}: the same 100 upserts sent through {@link SqlBatch} (one JDBC batch, on PostgreSQL
 * rewritten into multi-row statements, one round of them per repeated row), whose per-row counts the driver does not
 * report; the tear-down's check that every row holds its last version covers it.
 *
 * <p>Five warm-up iterations, not three: at some 10,000 operations per second the builder's code is compiled late,
 * and on the shared 2-core machine the versioned path was still speeding up after 6 s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class UpsertBenchmark {
    private static final int ROWS = 1_000;
    private static final int BATCH = 100;
    /** The version every row holds at the start: newer writes count up from it, stale ones stay below. */
    private static final long STORED = 1_000_000_000L;

    @Param({"sqlite"})
    String store;

    private BenchStore opened;
    private JdbcDatabase db;
    private SqlDialect dialect;
    private String plainSql;
    private String[] ids;
    private long[] versions;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp() {
        opened = BenchStore.open(store);
        db = opened.database();
        dialect = db.dialect();
        plainSql = opened.rawSql("upsert.plain");
        String create = opened.rawSql("upsert.create");
        ids = new String[ROWS];
        versions = new long[ROWS];
        for (int i = 0; i < ROWS; i++) {
            ids[i] = String.format("%06d", i + 1);
            versions[i] = STORED;
        }
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(create);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO bank_summary (account_id, name, name_version, balance_cents, balance_version,"
                            + " is_deleted, deleted_version) VALUES (?, ?, 1, 10000, ?, 0, 1)")) {
                for (String id : ids) {
                    ps.setString(1, id);
                    ps.setString(2, "Ada " + id);
                    ps.setLong(3, STORED);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        random = new SplittableRandom(7);
        System.out.println("\n[store] " + opened.durability() + "; " + ROWS + " bank_summary rows");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            // the versioned writes must have left every row at its newest version, and stale ones nothing
            long behind = db.read(c -> {
                long n = 0;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT balance_version FROM bank_summary WHERE account_id = ?")) {
                    for (int i = 0; i < ROWS; i++) {
                        ps.setString(1, ids[i]);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next() || rs.getLong(1) != versions[i]) n++;
                        }
                    }
                }
                return n;
            });
            if (behind != 0) throw new IllegalStateException(behind + " rows do not hold their last version");
        } finally {
            opened.close();
        }
    }

    // ---------------------------------------------------------------- one transaction per row

    @Benchmark
    public int plain() {
        return db.inTransaction(this::plainOne);
    }

    @Benchmark
    public int versioned() {
        return db.inTransaction(this::versionedOne);
    }

    @Benchmark
    public int stale() {
        return db.inTransaction(this::staleOne);
    }

    // ---------------------------------------------------------------- 100 rows per transaction

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int plainBatch() {
        return db.inTransaction(c -> {
            int n = 0;
            for (int i = 0; i < BATCH; i++) n += plainOne(c);
            return n;
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int versionedBatch() {
        return db.inTransaction(c -> {
            int n = 0;
            for (int i = 0; i < BATCH; i++) n += versionedOne(c);
            return n;
        });
    }

    /** {@code versionedBatch} sent through {@link SqlBatch}, as {@code BankViews.handleBatch} does since it exists. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int versionedSqlBatch() {
        SqlBatch batch = new SqlBatch();
        for (int i = 0; i < BATCH; i++) {
            int row = random.nextInt(ROWS);
            long v = ++versions[row];
            batch.add(balance(ids[row], v, v).build(dialect));
        }
        return db.inTransaction(batch::execute);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int staleBatch() {
        return db.inTransaction(c -> {
            int n = 0;
            for (int i = 0; i < BATCH; i++) n += staleOne(c);
            return n;
        });
    }

    // ---------------------------------------------------------------- no database

    @Benchmark
    public SqlStatement build() {
        int i = random.nextInt(ROWS);
        return balance(ids[i], versions[i] + 1, 10_000L + i).build(dialect);
    }

    // ---------------------------------------------------------------- one row

    private int plainOne(Connection c) throws SQLException {
        int i = random.nextInt(ROWS);
        long v = ++versions[i];
        return expect(1, new SqlStatement(plainSql, List.of(ids[i], v, v)).execute(c));
    }

    private int versionedOne(Connection c) throws SQLException {
        int i = random.nextInt(ROWS);
        long v = ++versions[i];
        return expect(1, balance(ids[i], v, v).build(dialect).execute(c));
    }

    private int staleOne(Connection c) throws SQLException {
        int i = random.nextInt(ROWS);
        return expect(0, balance(ids[i], STORED - 1 - random.nextInt(1_000), -1L).build(dialect).execute(c));
    }

    /** Exactly {@code BankViews.balance}: the balance of one account, guarded by its version. */
    private static VersionedUpsert balance(String account, long version, long cents) {
        return VersionedUpsert.into("bank_summary").key("account_id", account)
                .versioned("balance_cents", cents, "balance_version", version);
    }

    private static int expect(int expected, int count) {
        if (count != expected) throw new IllegalStateException("update count " + count + ", expected " + expected);
        return count;
    }
}
