package jangle.banking.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command that has committed is reported as committed, with its transaction id, whatever fails after the commit
 * (issue 16 items 2 and 3): a damaged read-model page, a view whose writes fail. The balance printed is the one the
 * command decided (its event's), never a stale view's.
 */
class CommittedOutcomeTest {
    @TempDir
    Path dir;
    private CliHarness cli;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() {
        cli = new CliHarness(dir);
    }

    private String ok(String... args) {
        return cli.ok(args);
    }

    @Test
    @DisplayName("issue 16.2: a withdrawal committed on a bank whose bank_summary page is damaged: exit 0, its "
            + "transaction id and balance, a warning; the event is stored once")
    void damagedViewPage() throws Exception {
        for (int i = 1; i <= 3; i++) ok("create-account", "--name", "Person " + i);
        assertThat(ok("create-account", "--name", "Dora Damaged", "--initial-deposit", "100")).isEqualTo("000004");
        overwriteRootPage(cli.db(), "bank_summary");

        var r = cli.sub("--json", "withdraw", "000004", "2", "--tx", "w-damaged", "--wait", "1s");

        assertThat(r.code()).as("stdout %s stderr %s", r.out(), r.err()).isZero();
        JsonNode doc = json.readTree(r.out());
        assertThat(doc.get("success").asBoolean()).isTrue();
        assertThat(doc.get("transactionId").asText()).isEqualTo("w-damaged");
        assertThat(doc.get("balance").decimalValue()).isEqualByComparingTo("98.00");
        assertThat(doc.get("warnings")).isNotEmpty();
        assertThat(r.err()).contains("Warning: committed (transaction w-damaged), but ").doesNotContain("Error:");
        assertThat(count(cli.db(), "SELECT count(*) FROM jangle_events WHERE type LIKE '%FundsWithdrawn%'"))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("issue 16.3: with the deposits view's writes failing, deposits print the balances their events "
            + "recorded (20.00, 21.00) and say the views are behind")
    void failingViewWrites() throws Exception {
        assertThat(ok("create-account", "--name", "Alice", "--initial-deposit", "15")).isEqualTo("000001");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cli.db());
             Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER deposits_broken BEFORE INSERT ON deposits "
                    + "BEGIN SELECT RAISE(ABORT, 'deposits view is broken'); END");
        }

        var first = cli.sub("deposit", "000001", "5", "--wait", "1s");
        var second = cli.sub("deposit", "000001", "1", "--wait", "1s");

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out().strip()).isEqualTo("20.00");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out().strip()).isEqualTo("21.00");
        assertThat(second.err()).contains("Warning: committed (transaction ")
                .contains("its follow-up work fails and is being retried").contains("deposits view is broken");
    }

    @Test
    @DisplayName("issue 16.9: a request whose saga cannot be stored prints its transaction id and says it is not on "
            + "its way, naming the failure")
    void requestWhoseSagaCannotBeStored() throws Exception {
        ok("create-account", "--name", "Alice", "--initial-deposit", "10");
        ok("create-account", "--name", "Bobby", "--initial-deposit", "10");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cli.db());
             Statement s = c.createStatement()) {
            s.execute("CREATE TRIGGER sagas_broken BEFORE INSERT ON jangle_sagas "
                    + "BEGIN SELECT RAISE(ABORT, 'saga table is broken'); END");
        }

        var r = cli.sub("request", "000001", "000002", "5", "--tx", "req-stuck", "--wait", "2s");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("req-stuck");
        assertThat(r.err()).contains("Warning: committed (transaction req-stuck), but the request is not on its way")
                .contains("saga table is broken");
    }

    /** Overwrites a table's root page with zeros, as a damaged sector would (after a checkpoint, in the main file). */
    static void overwriteRootPage(Path db, String table) throws Exception {
        long root;
        long pageSize;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            try (ResultSet rs = s.executeQuery("SELECT rootpage FROM sqlite_master WHERE name = '" + table + "'")) {
                assertThat(rs.next()).as("table %s exists", table).isTrue();
                root = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
                rs.next();
                pageSize = rs.getLong(1);
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.seek((root - 1) * pageSize);
            f.write(new byte[(int) pageSize]);
        }
    }

    static long count(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
