package jangle.banking.app.reliability;

import jangle.banking.app.BankingConfig;
import jangle.test.EmbeddedPg;

import java.util.Map;

/** Invalid stored data on a real (embedded) PostgreSQL database. */
class PostgresStoredDataFaultsTest extends StoredDataFaultsContract {
    @Override
    protected BankingConfig newConfig() {
        return BankingConfig.database(EmbeddedPg.newDatabaseUrl(), "postgres", "postgres").withEnvironment(Map.of());
    }

    @Override
    protected boolean storesInvalidJsonText() {
        return false; // json columns refuse text that is not JSON
    }
}
