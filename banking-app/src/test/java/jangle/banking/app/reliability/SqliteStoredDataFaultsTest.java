package jangle.banking.app.reliability;

import jangle.banking.app.BankingConfig;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Invalid stored data on a real SQLite file. */
class SqliteStoredDataFaultsTest extends StoredDataFaultsContract {
    @TempDir
    Path dir;

    @Override
    protected BankingConfig newConfig() {
        return BankingConfig.sqlite(dir.resolve("bank-" + UUID.randomUUID() + ".db")).withEnvironment(Map.of());
    }

    @Override
    protected boolean storesInvalidJsonText() {
        return true; // TEXT columns: any text can be written behind the application's back
    }
}
