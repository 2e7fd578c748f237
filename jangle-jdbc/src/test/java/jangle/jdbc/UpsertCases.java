package jangle.jdbc;

import jangle.jdbc.UpsertModel.Balance;
import jangle.jdbc.UpsertModel.Closed;
import jangle.jdbc.UpsertModel.Ev;
import jangle.jdbc.UpsertModel.Opened;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Versioned upserts against a real database (§11), run on both dialects by the subclasses. */
abstract class UpsertCases {
    protected JdbcDatabase db;

    protected abstract JdbcDatabase newDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = newDatabase();
        db.executeScript("upsert/" + db.dialect().folder() + ".sql");
        db.executeScript("upsert/" + db.dialect().folder() + ".sql"); // idempotent
    }

    @AfterEach
    void close() {
        db.close();
    }

    private int upsert(VersionedUpsert u) {
        return db.inTransaction(u.build(db.dialect())::execute);
    }

    private List<Object> row(String id) {
        return db.read(c -> {
            try (var ps = c.prepareStatement(
                    "SELECT name, name_version, amount, amount_version FROM accounts WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return null;
                    List<Object> out = new ArrayList<>();
                    out.add(rs.getString(1));
                    out.add(rs.getLong(2));
                    out.add(new BigDecimal(rs.getString(3)));
                    out.add(rs.getLong(4));
                    return out;
                }
            }
        });
    }

    private int worked(String name, long nameVersion, String amount, long amountVersion) {
        return upsert(VersionedUpsert.into("accounts").key("id", "a")
                .versioned("name", name, "name_version", nameVersion)
                .versioned("amount", new BigDecimal(amount), "amount_version", amountVersion));
    }

    @Test
    @Tag("V1")
    @Tag("V2")
    @Tag("V3")
    @DisplayName("V1-V3: the worked example of §11 (newer wins, equal or older changes nothing, per column)")
    void workedExample() {
        assertThat(worked("Ana", 2, "10", 2)).isEqualTo(1);
        assertThat(row("a")).containsExactly("Ana", 2L, new BigDecimal("10"), 2L);
        assertThat(worked("Bea", 5, "30", 5)).isEqualTo(1);
        assertThat(row("a")).containsExactly("Bea", 5L, new BigDecimal("30"), 5L);
        assertThat(worked("Ana", 2, "10", 2)).isZero(); // late duplicate: nothing changes
        assertThat(row("a")).containsExactly("Bea", 5L, new BigDecimal("30"), 5L);
        worked("Cy", 4, "40", 6);
        assertThat(row("a")).containsExactly("Bea", 5L, new BigDecimal("40"), 6L);
        assertThat(worked("Dee", 5, "99", 6)).isZero(); // equal versions change nothing
        assertThat(row("a")).containsExactly("Bea", 5L, new BigDecimal("40"), 6L);
    }

    @Test
    @Tag("V5")
    @DisplayName("§11: fillIfNull writes once, always overwrites, insertOnly never updates; values are bound (V5)")
    void otherColumnKinds() {
        String tricky = "x'); DROP TABLE accounts; --";
        upsert(VersionedUpsert.into("accounts").key("id", "b").fillIfNull("touched", tricky));
        upsert(VersionedUpsert.into("accounts").key("id", "b").fillIfNull("touched", "second"));
        assertThat(touched("b")).isEqualTo(tricky);
        upsert(VersionedUpsert.into("accounts").key("id", "b").always("touched", "third"));
        assertThat(touched("b")).isEqualTo("third");
        assertThat(upsert(VersionedUpsert.into("accounts").key("id", "b").always("touched", "x").insertOnly()))
                .isZero();
        assertThat(touched("b")).isEqualTo("third");
        assertThat(upsert(VersionedUpsert.into("accounts").key("id", "c").always("touched", "new").insertOnly()))
                .isEqualTo(1);
        assertThat(touched("c")).isEqualTo("new");
    }

    private String touched(String id) {
        return db.read(c -> {
            try (var ps = c.prepareStatement("SELECT touched FROM accounts WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    @Test
    @Tag("V2")
    @Tag("V4")
    @DisplayName("V2/V4: a soft delete before the row exists creates it; one version column guards several values")
    void softDeleteFirst() throws Exception {
        List<Ev> events = List.of(new Closed("z", 4),
                new Opened("z", 1, "Zed", Instant.parse("2026-01-01T00:00:00Z")), new Balance("z", 2,
                        new BigDecimal("5.50")));
        db.inTransaction(c -> {
            UpsertModel.apply(c, db.dialect(), events.get(0));
            return null;
        });
        List<String> afterDelete = db.read(c -> UpsertModel.rows(c, db.dialect()));
        assertThat(afterDelete).containsExactly("z|null|null|null|null|null|CLOSED|true|3|null");
        db.inTransaction(c -> {
            for (Ev e : events.subList(1, 3)) UpsertModel.apply(c, db.dialect(), e);
            return null;
        });
        List<String> complete = db.read(c -> UpsertModel.rows(c, db.dialect()));
        assertThat(complete).containsExactly(
                "z|Zed|1|5.50|2|2026-01-01T00:00:00Z|CLOSED|true|3|null", "z|2|5.50");
    }

    @Test
    @Tag("R5")
    @Tag("V1")
    @Tag("V2")
    @Tag("V3")
    @Tag("V4")
    @DisplayName("R5/V1-V4/issue 3: shuffled, tripled event sequences converge to the rows of the ordered one")
    void shuffledDuplicatesConverge() throws Exception {
        for (long seed : new long[]{1, 2, 3}) {
            List<Ev> history = UpsertModel.history(seed, 25);
            clear();
            applyAll(history);
            List<String> ordered = db.read(c -> UpsertModel.rows(c, db.dialect()));
            assertThat(ordered).isNotEmpty();

            List<Ev> tripled = new ArrayList<>();
            for (int i = 0; i < 3; i++) tripled.addAll(history);
            Collections.shuffle(tripled, new Random(seed));
            clear();
            applyAll(tripled);
            List<String> converged = db.read(c -> UpsertModel.rows(c, db.dialect()));
            assertThat(converged).as("seed %d", seed).isEqualTo(ordered);
        }
    }

    @Test
    @DisplayName("SqlBatch: a shuffled, tripled history sent as one batch per statement text converges to the rows of "
            + "the ordered one applied statement by statement, and a second batch on the same cached statements "
            + "runs only its own rows")
    void batchedConverges() throws Exception {
        List<Ev> history = UpsertModel.history(7, 40);
        clear();
        applyAll(history);
        List<String> ordered = db.read(c -> UpsertModel.rows(c, db.dialect()));

        List<Ev> tripled = new ArrayList<>();
        for (int i = 0; i < 3; i++) tripled.addAll(history);
        Collections.shuffle(tripled, new Random(7));
        clear();
        SqlBatch batch = new SqlBatch();
        int statements = 0;
        for (Ev e : tripled) {
            for (SqlStatement st : UpsertModel.statements(db.dialect(), e)) {
                batch.add(st);
                statements++;
            }
        }
        assertThat(batch.size()).isEqualTo(statements);
        assertThat(db.inTransaction(batch::execute)).isEqualTo(statements);
        assertThat(batch.size()).as("emptied").isZero();
        List<String> batched = db.read(c -> UpsertModel.rows(c, db.dialect()));
        assertThat(batched).isEqualTo(ordered);

        SqlBatch second = new SqlBatch()
                .add(VersionedUpsert.into("accounts").key("id", "late").versioned("name", "Late", "name_version", 1)
                        .build(db.dialect()))
                .add(VersionedUpsert.into("accounts").key("id", "acc-0").versioned("name", "Renamed", "name_version",
                        1_000).build(db.dialect()));
        assertThat(db.inTransaction(second::execute)).isEqualTo(2);
        List<String> after = db.read(c -> UpsertModel.rows(c, db.dialect()));
        assertThat(after).hasSize(ordered.size() + 1);
        assertThat(after).anyMatch(r -> r.startsWith("late|Late|1|"));
        assertThat(after).anyMatch(r -> r.startsWith("acc-0|Renamed|1000|"));
    }

    @Test
    @Tag("V8")
    @DisplayName("V8: of a batch's upserts of one row, only the one that stands reaches the database (the highest "
            + "version, the first insert-only row); a fill-if-null upsert runs every time; the rows are those of "
            + "every statement applied one by one")
    void batchRunsOnlyTheUpsertThatStands() throws Exception {
        List<SqlStatement> added = new ArrayList<>();
        List<Integer> versions = new ArrayList<>();
        for (int v = 1; v <= 12; v++) versions.add(v);
        versions.add(7); // a redelivery: the same version and values again
        Collections.shuffle(versions, new Random(3));
        for (int v : versions) {
            added.add(VersionedUpsert.into("accounts").key("id", "hot")
                    .versioned("amount", new BigDecimal(v + ".25"), "amount_version", v).build(db.dialect()));
        }
        added.add(VersionedUpsert.into("accounts").key("id", "hot").versioned("name", "Hot", "name_version", 2)
                .build(db.dialect()));
        for (int i = 0; i < 3; i++) {
            added.add(VersionedUpsert.into("movements").key("account_id", "hot").key("version", 5L)
                    .always("amount", new BigDecimal("5.00")).insertOnly().build(db.dialect()));
        }
        added.add(VersionedUpsert.into("accounts").key("id", "fill").fillIfNull("name", "First")
                .fillIfNull("touched", "a").build(db.dialect()));
        added.add(VersionedUpsert.into("accounts").key("id", "fill").fillIfNull("name", "Second")
                .fillIfNull("touched", "b").build(db.dialect()));

        clear();
        db.inTransaction(c -> {
            for (SqlStatement st : added) st.execute(c);
            return null;
        });
        List<String> oneByOne = db.read(c -> UpsertModel.rows(c, db.dialect()));

        clear();
        SqlBatch batch = new SqlBatch();
        for (SqlStatement st : added) batch.add(st);
        int[] sent = new int[1];
        int executed = db.inTransaction(c -> batch.execute(counting(c, sent)));
        assertThat(executed).as("statements added").isEqualTo(19);
        assertThat(sent[0]).as("rows sent: one amount, one name, one movement, both fill-if-null").isEqualTo(5);
        List<String> batched = db.read(c -> UpsertModel.rows(c, db.dialect()));
        assertThat(batched).isEqualTo(oneByOne);
        assertThat(batched).anyMatch(r -> r.startsWith("hot|Hot|2|12.25|12|"))
                .anyMatch(r -> r.startsWith("fill|First|") && r.endsWith("|a"));
    }

    /** {@code c} behind a proxy that counts the rows bound and sent by its prepared statements. */
    private static Connection counting(Connection c, int[] sent) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    Object result = invoke(method, c, args);
                    if (!method.getName().equals("prepareStatement")) return result;
                    java.sql.PreparedStatement ps = (java.sql.PreparedStatement) result;
                    return java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                            new Class<?>[] {java.sql.PreparedStatement.class}, (p, m, a) -> {
                                if (m.getName().equals("addBatch") && (a == null || a.length == 0)
                                        || m.getName().equals("executeUpdate") && (a == null || a.length == 0)) {
                                    sent[0]++;
                                }
                                return invoke(m, ps, a);
                            });
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private void applyAll(List<Ev> events) {
        db.inTransaction(c -> {
            for (Ev e : events) UpsertModel.apply(c, db.dialect(), e);
            return null;
        });
    }

    private void clear() {
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM accounts");
                s.executeUpdate("DELETE FROM movements");
            }
            return null;
        });
    }

    /** For {@link UpsertDialectsTest}: the rows after applying {@code events} in one transaction. */
    static List<String> rowsAfter(JdbcDatabase db, List<Ev> events) throws SQLException {
        db.executeScript("upsert/" + db.dialect().folder() + ".sql");
        db.inTransaction(c -> {
            for (Ev e : events) UpsertModel.apply(c, db.dialect(), e);
            return null;
        });
        return db.read((Connection c) -> UpsertModel.rows(c, db.dialect()));
    }
}
