package jangle.jdbc;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteKillTest extends KillTestCases {
    @TempDir
    Path dir;

    @Override
    protected String target() {
        return dir.resolve("killed.db").toString();
    }

    @Override
    protected JdbcDatabase reopen() {
        return JdbcDatabase.sqlite(dir.resolve("killed.db"));
    }
}
