package jangle.jdbc;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteConcurrencyTest extends ConcurrencyCases {
    @TempDir
    Path dir;

    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.sqlite(dir.resolve("race.db"));
    }
}
