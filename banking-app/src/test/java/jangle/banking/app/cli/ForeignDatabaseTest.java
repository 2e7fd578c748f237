package jangle.banking.app.cli;

import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16.7: a database that is not Jangle's is refused before anything is written to it; a Jangle database made
 * before the rule still opens; paths in missing directories and unusable log files are refused by name.
 */
class ForeignDatabaseTest {
    @TempDir
    Path dir;
    private CliHarness cli;

    @BeforeEach
    void setUp() {
        cli = new CliHarness(dir);
    }

    private static List<String> sqliteTables(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) names.add(rs.getString(1));
            return names;
        }
    }

    @Test
    @DisplayName("issue 16.7: a SQLite file with other tables (even a clashing 'transactions') is refused, unchanged")
    void foreignSqliteFileRefused() throws Exception {
        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
            s.execute("CREATE TABLE transactions (id INTEGER PRIMARY KEY, what TEXT)");
            s.execute("INSERT INTO customers (name) VALUES ('kept')");
        }
        for (String command : List.of("accounts", "create-account")) {
            var r = command.equals("accounts") ? cli.runRaw("", "--db", other.toString(), "accounts")
                    : cli.runRaw("", "--db", other.toString(), "create-account", "--name", "Intruder");
            assertThat(r.code()).as(r.err()).isEqualTo(3);
            assertThat(r.err()).startsWith("Error: ").contains(other.toString())
                    .contains("is not a Jangle database", "2 tables (customers, transactions)",
                            "no Jangle schema marker", "nothing was changed");
            assertThat(r.err().lines().count()).isEqualTo(1);
        }
        assertThat(sqliteTables(other)).containsExactly("customers", "transactions");
        // the terminal refuses too, before its menu
        var terminal = cli.runRaw("5\n", "--db", other.toString());
        assertThat(terminal.code()).isEqualTo(3);
        assertThat(terminal.out()).doesNotContain("Select an option");
        assertThat(sqliteTables(other)).containsExactly("customers", "transactions");
    }

    @Test
    @DisplayName("issue 16.7: a PostgreSQL database with other tables is refused, unchanged")
    void foreignPostgresDatabaseRefused() throws Exception {
        String url = EmbeddedPg.newDatabaseUrl();
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE invoices (id BIGINT PRIMARY KEY)");
        }
        var r = new CliHarness(dir).env("JANGLE_DB_USER", "postgres").env("JANGLE_DB_PASSWORD", "postgres")
                .runRaw("", "--db-url", url, "accounts");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("is not a Jangle database", "1 table (invoices)");
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("issue 16.7: a bank made by the code before the marker rule (committed fixture) still opens and works")
    void databaseMadeBeforeTheRuleOpens() throws Exception {
        Path old = dir.resolve("made-before.db");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/bank-made-before-marker-rule.db")) {
            assertThat(in).as("fixture").isNotNull();
            Files.copy(in, old);
        }
        assertThat(sqliteTables(old)).contains("jangle_schema_version", "jangle_events");
        var accounts = cli.runRaw("", "--db", old.toString(), "accounts");
        assertThat(accounts.code()).as(accounts.err()).isZero();
        assertThat(accounts.out()).containsPattern("(?m)^000001 Made Today +12\\.34 +0$");
        var deposit = cli.runRaw("", "--db", old.toString(), "deposit", "000001", "1");
        assertThat(deposit.code()).as(deposit.err()).isZero();
        assertThat(deposit.out().strip()).isEqualTo("13.34");
    }

    @Test
    @DisplayName("issue 16.7: a fresh file and an empty file become banks")
    void newAndEmptyFilesOpen() throws Exception {
        Path empty = dir.resolve("empty.db");
        Files.createFile(empty);
        var r = cli.runRaw("", "--db", empty.toString(), "create-account", "--name", "First One");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(sqliteTables(empty)).contains("jangle_schema_version", "jangle_events", "transactions");
    }

    @Test
    @DisplayName("issue 16.7: --db and --log-file in a missing directory, or a --log-file that is a directory, are refused")
    void pathsRefusedByName() throws Exception {
        Path missing = dir.resolve("no-such-dir");
        var db = cli.runRaw("", "--db", missing.resolve("bank.db").toString(), "accounts");
        assertThat(db.code()).isEqualTo(2);
        assertThat(db.err().strip()).isEqualTo("Invalid input: --db " + missing.resolve("bank.db")
                + ": the directory " + missing + " does not exist (create it first)");
        assertThat(missing).doesNotExist();

        var log = cli.run("", "--log-file", missing.resolve("bank.log").toString(), "accounts");
        assertThat(log.code()).isEqualTo(2);
        assertThat(log.err()).contains("--log-file " + missing.resolve("bank.log") + ": the directory " + missing
                + " does not exist");
        assertThat(missing).doesNotExist();

        var logDir = cli.run("", "--log-file", dir.toString(), "accounts");
        assertThat(logDir.code()).isEqualTo(2);
        assertThat(logDir.err().strip()).isEqualTo("Invalid input: --log-file " + dir + " is a directory, not a file");

        var dbDir = cli.runRaw("", "--db", dir.toString(), "accounts");
        assertThat(dbDir.code()).isEqualTo(2);
        assertThat(dbDir.err()).contains("is a directory, not a database file");

        var env = new CliHarness(dir).env("JANGLE_LOG_FILE", missing.resolve("x.log").toString()).sub("accounts");
        assertThat(env.code()).isEqualTo(2);
        assertThat(env.err()).contains("JANGLE_LOG_FILE " + missing.resolve("x.log"));
    }
}
