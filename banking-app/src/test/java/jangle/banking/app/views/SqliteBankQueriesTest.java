package jangle.banking.app.views;

import jangle.jdbc.JdbcDatabase;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The §9 queries on a real SQLite file. */
class SqliteBankQueriesTest extends BankQueriesContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.sqlite(dir.resolve("queries.db"));
    }
}
