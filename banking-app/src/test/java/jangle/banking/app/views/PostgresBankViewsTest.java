package jangle.banking.app.views;

import jangle.test.EmbeddedPg;
import jangle.jdbc.JdbcDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The §8 writers on a real (embedded) PostgreSQL database. */
class PostgresBankViewsTest extends BankViewsContract {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newDatabaseUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }

    @Override
    protected void installFailingTrigger(String table) {
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE FUNCTION refuse_insert() RETURNS trigger AS $$ BEGIN "
                        + "RAISE EXCEPTION 'refused by test'; END $$ LANGUAGE plpgsql");
                s.execute("CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION refuse_insert()");
            }
            return null;
        });
    }

    @Override
    protected String columnTypeOfBalance() {
        return columnType("bank_summary", "balance_cents");
    }

    private String columnType(String table, String column) {
        return db.read(c -> {
            try (var ps = c.prepareStatement("SELECT data_type FROM information_schema.columns "
                    + "WHERE table_name = ? AND column_name = ?")) {
                ps.setString(1, table);
                ps.setString(2, column);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }

    @Test
    @DisplayName("§8 PostgreSQL times are timestamptz and money columns BIGINT")
    void postgresColumnTypes() {
        assertThat(columnType("transactions", "initiated_at")).isEqualTo("timestamp with time zone");
        assertThat(columnType("transfer_requests", "timeout_at")).isEqualTo("timestamp with time zone");
        for (String table : new String[]{"transactions", "transfers", "transfer_requests", "deposits", "withdrawals",
                "debts_forgiven"}) {
            assertThat(columnType(table, "amount_cents")).as(table).isEqualTo("bigint");
        }
    }
}
