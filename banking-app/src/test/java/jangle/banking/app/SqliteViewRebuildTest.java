package jangle.banking.app;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@link ViewRebuildContract} on a SQLite file. */
class SqliteViewRebuildTest extends ViewRebuildContract {
    @TempDir
    Path dir;

    @Override
    BankingConfig config(Map<String, String> env) {
        return BankingConfig.sqlite(dir.resolve("bank.db")).withEnvironment(env);
    }

    @Override
    List<String> childArgs(BankingConfig config) {
        return List.of("sqlite", dir.resolve("bank.db").toString());
    }
}
