package jangle.banking.app;

import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    @Tag("R6")
    @DisplayName("R6 on PostgreSQL: a server-side prepared statement made before the swap runs after it, on the new "
            + "table (the server revalidates it: the table it was planned on is dropped)")
    void preparedStatementsFollowTheSwap() throws SQLException {
        try (BankingApplication app = BankingApplication.open(config(Map.of()))) {
            app.start();
            BankingApplicationTest.someHistory(app);
            try (Connection c = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?")
                    + "prepareThreshold=1", EmbeddedPg.USER, EmbeddedPg.PASSWORD);
                 PreparedStatement accounts = c.prepareStatement(
                         "SELECT COUNT(*) FROM bank_summary WHERE name IS NOT NULL");
                 PreparedStatement oid = c.prepareStatement("SELECT CAST(CAST('bank_summary' AS regclass) AS oid)")) {
                long before = single(accounts);
                assertThat(single(accounts)).isEqualTo(before);
                assertThat(accounts.unwrap(PGStatement.class).isUseServerPrepare()).isTrue();
                long tableBefore = single(oid);

                app.rebuild(null);

                assertThat(single(oid)).as("bank_summary is another table now").isNotEqualTo(tableBefore);
                assertThat(single(accounts)).isEqualTo(before).isPositive();
            }
        }
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
