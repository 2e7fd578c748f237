package jangle.banking.app;

import jangle.banking.app.views.NamedSql;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ViewRebuildContract} on a SQLite file (its tests and assertions are inherited), and what only SQLite needs:
 * it cannot rename an index, so the swap creates the secondary indexes on the new tables itself.
 */
class SqliteViewRebuildTest extends ViewRebuildContract {
    private static final NamedSql QUERIES = NamedSql.load("jangle/banking/views/queries-sqlite.sql");

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

    @Test
    @Tag("R6")
    @DisplayName("R6 on SQLite: after a rebuild the ledger and awaiting-requests queries use the indexes the swap "
            + "created, and the file passes an integrity check")
    void swapCreatesTheIndexesQueriesUse() {
        try (BankingApplication app = BankingApplication.open(config(Map.of()))) {
            app.start();
            BankingApplicationTest.someHistory(app);
            assertThat(app.rebuild(null).swappedAt()).isPositive();
            assertThat(plan(app, QUERIES.get("account_ledger"), "000001"))
                    .anySatisfy(step -> assertThat(step).contains("transactions_by_account"));
            assertThat(plan(app, QUERIES.get("pending_requests"), "000001", "2026-12-07T00:00:00Z"))
                    .anySatisfy(step -> assertThat(step).contains("transfer_requests_awaiting"));
            List<String> integrity = app.database().read(c -> {
                List<String> out = new ArrayList<>();
                try (var st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                    while (rs.next()) out.add(rs.getString(1));
                }
                return out;
            });
            assertThat(integrity).containsExactly("ok");
        }
    }

    /** SQLite's plan of {@code sql} with {@code params}: one line per step. */
    private static List<String> plan(BankingApplication app, String sql, String... params) {
        return app.database().read(c -> {
            List<String> steps = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
                for (int i = 0; i < params.length; i++) ps.setString(i + 1, params[i]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) steps.add(rs.getString("detail"));
                }
            }
            return steps;
        });
    }
}
