package jangle.jdbc;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteSnapshotAndSagaTest extends SnapshotAndSagaCases {
    @TempDir
    Path dir;

    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.sqlite(dir.resolve("stores.db"));
    }
}
