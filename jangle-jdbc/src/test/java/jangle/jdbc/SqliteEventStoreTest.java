package jangle.jdbc;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteEventStoreTest extends EventStoreCases {
    @TempDir
    Path dir;

    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.sqlite(dir.resolve("events.db"));
    }
}
