package jangle.banking.app;

import jangle.test.EmbeddedPg;

import java.util.List;
import java.util.Map;

/** {@link ViewRebuildContract} on embedded PostgreSQL, a new database per test. */
class PostgresViewRebuildTest extends ViewRebuildContract {
    private String url;

    @Override
    BankingConfig config(Map<String, String> env) {
        if (url == null) url = EmbeddedPg.newDatabaseUrl();
        return BankingConfig.database(url, EmbeddedPg.USER, EmbeddedPg.PASSWORD).withEnvironment(env);
    }

    @Override
    List<String> childArgs(BankingConfig config) {
        return List.of("postgresql", url);
    }
}
