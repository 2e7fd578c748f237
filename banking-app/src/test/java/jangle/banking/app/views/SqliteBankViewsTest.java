package jangle.banking.app.views;

import jangle.banking.FundsDeposited;
import jangle.jdbc.JdbcDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The §8 writers on a real SQLite file. */
class SqliteBankViewsTest extends BankViewsContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.sqlite(dir.resolve("views.db"));
    }

    @Override
    protected void installFailingTrigger(String table) {
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table
                        + " BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
            }
            return null;
        });
    }

    @Override
    protected String columnTypeOfBalance() {
        return text("SELECT typeof(balance_cents) FROM bank_summary LIMIT 1");
    }

    private String text(String sql) {
        return db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    @Test
    @DisplayName("§8 SQLite times: fixed-width ISO-8601 text with microseconds and Z, so text order is time order")
    void sqliteTimeText() {
        deliver(rec.at(A, 2, Instant.parse("2026-03-01T10:15:30Z"), new FundsDeposited(A, m("1.00"), m("1.00"), "a")),
                rec.at(A, 3, Instant.parse("2026-03-01T10:15:30.5Z"), new FundsDeposited(A, m("1.00"), m("2.00"), "b")));
        assertThat(text("SELECT initiated_at FROM transactions WHERE transaction_id = 'a'"))
                .isEqualTo("2026-03-01T10:15:30.000000Z");
        assertThat(text("SELECT initiated_at FROM transactions WHERE transaction_id = 'b'"))
                .isEqualTo("2026-03-01T10:15:30.500000Z");
        assertThat(text("SELECT transaction_id FROM transactions ORDER BY initiated_at DESC LIMIT 1")).isEqualTo("b");
    }
}
