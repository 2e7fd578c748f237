package jangle.jdbc;

import jangle.jdbc.UpsertModel.Ev;
import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class UpsertDialectsTest {
    @TempDir
    Path dir;

    @Test
    @Tag("V6")
    @DisplayName("V6: the same builder output gives identical rows on SQLite and PostgreSQL")
    void sameRowsOnBothDialects() throws Exception {
        List<Ev> history = UpsertModel.history(42, 30);
        List<Ev> shuffled = new ArrayList<>(history);
        shuffled.addAll(history);
        Collections.shuffle(shuffled, new Random(42));
        List<String> sqlite;
        List<String> postgres;
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("v6.db"))) {
            sqlite = UpsertCases.rowsAfter(db, shuffled);
        }
        try (JdbcDatabase db = JdbcDatabase.postgres(EmbeddedPg.newDatabaseDataSource())) {
            postgres = UpsertCases.rowsAfter(db, shuffled);
        }
        assertThat(sqlite).hasSizeGreaterThan(30);
        assertThat(postgres).isEqualTo(sqlite);
    }
}
