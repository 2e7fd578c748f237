package jangle.jdbc;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionedUpsertTest {
    @Test
    @Tag("V8")
    @DisplayName("V8: the builder says which upserts of one row may be merged: insert-only keeps the first, one "
            + "version column the highest (at its parameter), anything else never; a hand-made merge is checked")
    void mergeFollowsTheColumns() {
        assertThat(VersionedUpsert.into("t").key("id", 1).always("a", 1).insertOnly().build(SqlDialect.SQLITE)
                .merge()).isEqualTo(new SqlStatement.Merge.FirstStands());
        SqlStatement versioned = VersionedUpsert.into("t").key("id", 1).versioned("a", "x", "v", 7)
                .versioned("b", "y", "v", 7).build(SqlDialect.POSTGRESQL);
        assertThat(versioned.merge()).isEqualTo(new SqlStatement.Merge.HighestVersion(1));
        assertThat(versioned.parameters().get(1)).isEqualTo(7L);
        assertThat(VersionedUpsert.into("t").key("id", 1).versioned("a", "x", "v", 7).versioned("b", "y", "w", 7)
                .build(SqlDialect.SQLITE).merge()).as("two version columns").isEqualTo(new SqlStatement.Merge.Never());
        assertThat(VersionedUpsert.into("t").key("id", 1).versioned("a", "x", "v", 7).fillIfNull("c", 1)
                .build(SqlDialect.SQLITE).merge()).as("a fill-if-null column").isEqualTo(new SqlStatement.Merge.Never());
        assertThat(VersionedUpsert.into("t").key("id", 1).versioned("a", "x", "v", 7).always("c", 1)
                .build(SqlDialect.SQLITE).merge()).as("an always column").isEqualTo(new SqlStatement.Merge.Never());
        assertThat(new SqlStatement("UPDATE t SET a = ?", java.util.List.of(1)).merge())
                .isEqualTo(new SqlStatement.Merge.Never());
        assertThatThrownBy(() -> new SqlStatement("INSERT INTO t VALUES (?, ?)", java.util.List.of("k", "x"),
                java.util.List.of(0), new SqlStatement.Merge.HighestVersion(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version position 1");
        assertThatThrownBy(() -> new SqlStatement("INSERT INTO t VALUES (?)", java.util.List.of("k"),
                java.util.List.of(), new SqlStatement.Merge.FirstStands()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no row");
    }

    @Test
    @Tag("V1")
    @DisplayName("V1: no key column or no value column is an IllegalStateException at build time")
    void needsKeyAndValue() {
        assertThatThrownBy(() -> VersionedUpsert.into("t").always("a", 1).build(SqlDialect.SQLITE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("key column");
        assertThatThrownBy(() -> VersionedUpsert.into("t").key("id", 1).build(SqlDialect.POSTGRESQL))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("value column");
        assertThatThrownBy(() -> VersionedUpsert.into("t").key("id", null).always("a", 1).build(SqlDialect.SQLITE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("null");
    }

    @Test
    @Tag("V2")
    @DisplayName("V2: columns sharing a version column must carry the same version; a column is given once")
    void sharedVersionColumn() {
        assertThatThrownBy(() -> VersionedUpsert.into("t").key("id", 1).versioned("a", 1, "v", 2)
                .versioned("b", 2, "v", 3).build(SqlDialect.SQLITE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("V2");
        assertThatThrownBy(() -> VersionedUpsert.into("t").key("id", 1).always("a", 1).fillIfNull("a", 2)
                .build(SqlDialect.SQLITE)).isInstanceOf(IllegalStateException.class);
        SqlStatement ok = VersionedUpsert.into("t").key("id", 1).versioned("a", "x", "v", 2)
                .versioned("b", "y", "v", 2).build(SqlDialect.SQLITE);
        assertThat(ok.parameters()).containsExactly(1, 2L, "x", "y");
    }

    @Test
    @Tag("V5")
    @DisplayName("V5: identifiers are checked and quoted; values only ever appear as parameters")
    void identifiersAndParameters() {
        for (String bad : Arrays.asList("", "1a", "a-b", "a b", "a\"b", "t; DROP TABLE x")) {
            assertThatThrownBy(() -> VersionedUpsert.into(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> VersionedUpsert.into("t").key(bad, 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        String value = "'; DROP TABLE accounts; --";
        SqlStatement s = VersionedUpsert.into("accounts").key("id", value)
                .versioned("amount", new BigDecimal("1.10"), "amount_version", 7)
                .fillIfNull("opened", value).always("seen", true).build(SqlDialect.POSTGRESQL);
        assertThat(s.sql()).doesNotContain(value).doesNotContain("1.10").doesNotContain("7")
                .startsWith("INSERT INTO \"accounts\" (\"id\", \"amount_version\", \"amount\", \"opened\", \"seen\")")
                .contains("ON CONFLICT (\"id\") DO UPDATE SET")
                .contains("\"amount\" = CASE WHEN (\"accounts\".\"amount_version\" IS NULL OR "
                        + "\"accounts\".\"amount_version\" < excluded.\"amount_version\") THEN excluded.\"amount\" "
                        + "ELSE \"accounts\".\"amount\" END")
                .contains("\"opened\" = COALESCE(\"accounts\".\"opened\", excluded.\"opened\")")
                .contains("\"seen\" = excluded.\"seen\"")
                .doesNotContain(" WHERE "); // an always column makes the update unconditional
        assertThat(s.parameters()).containsExactly(value, 7L, new BigDecimal("1.10"), value, true);
    }

    @Test
    @Tag("V6")
    @DisplayName("V6: the builder returns statement and parameters; the SQL is the same for both dialects")
    void buildsWithoutExecuting() {
        VersionedUpsert u = VersionedUpsert.into("t").key("a", "x").key("b", 2).versioned("c", null, "cv", 1);
        SqlStatement sqlite = u.build(SqlDialect.SQLITE);
        SqlStatement pg = u.build(SqlDialect.POSTGRESQL);
        assertThat(sqlite).isEqualTo(pg);
        assertThat(sqlite.sql()).contains("ON CONFLICT (\"a\", \"b\")")
                .endsWith(" WHERE (\"t\".\"cv\" IS NULL OR \"t\".\"cv\" < excluded.\"cv\")");
        assertThat(sqlite.parameters()).containsExactly("x", 2, 1L, null);
        assertThat(VersionedUpsert.into("t").key("a", 1).always("b", 2).insertOnly().build(SqlDialect.SQLITE).sql())
                .endsWith("ON CONFLICT (\"a\") DO NOTHING");
    }

    @Test
    @Tag("V6")
    @DisplayName("V6: rows of one shape share one statement text; any change of shape gives its own text")
    void textPerShape() {
        SqlStatement first = VersionedUpsert.into("t").key("a", "x").versioned("c", 1, "cv", 1).build(SqlDialect.SQLITE);
        SqlStatement second = VersionedUpsert.into("t").key("a", "y").versioned("c", 2, "cv", 9).build(SqlDialect.SQLITE);
        assertThat(second.sql()).isSameAs(first.sql()); // built once, not per row
        assertThat(second.parameters()).containsExactly("y", 9L, 2); // the values are the row's own
        String[] others = {
                VersionedUpsert.into("u").key("a", "x").versioned("c", 1, "cv", 1).build(SqlDialect.SQLITE).sql(),
                VersionedUpsert.into("t").key("a", "x").versioned("d", 1, "cv", 1).build(SqlDialect.SQLITE).sql(),
                VersionedUpsert.into("t").key("a", "x").versioned("c", 1, "dv", 1).build(SqlDialect.SQLITE).sql(),
                VersionedUpsert.into("t").key("a", "x").fillIfNull("c", 1).build(SqlDialect.SQLITE).sql(),
                VersionedUpsert.into("t").key("a", "x").versioned("c", 1, "cv", 1).insertOnly()
                        .build(SqlDialect.SQLITE).sql(),
                VersionedUpsert.into("t").versioned("c", 1, "cv", 1).key("a", "x").build(SqlDialect.SQLITE).sql()};
        assertThat(others).doesNotContain(first.sql()).doesNotHaveDuplicates();
    }
}
