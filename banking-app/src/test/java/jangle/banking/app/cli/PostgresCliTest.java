package jangle.banking.app.cli;

import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** T11: with {@code --db-url} on PostgreSQL every screen and subcommand behaves as on SQLite. */
class PostgresCliTest {
    @TempDir
    Path dir;

    @Test
    @Tag("T11")
    @DisplayName("T11: the same terminal session prints the same screens on PostgreSQL and on SQLite")
    void sameScreens() {
        String session = String.join("\n",
                "1", "Alice", "100", "",
                "1", "Bobby", "", "",
                "3", "000001", "4", "000002", "20", "", "4", "999999", "5", "",
                "5", "000002", "1.25", "", "1",
                "3", "000002", "8", "1", "", "1",
                "4", "", "5") + "\n";
        var sqlite = new CliHarness(dir).run(session);
        var pg = new CliHarness(dir).env("JANGLE_DB_USER", "postgres").env("JANGLE_DB_PASSWORD", "postgres")
                .runRaw(session, "--db-url", EmbeddedPg.newDatabaseUrl());
        assertThat(sqlite.code()).isZero();
        assertThat(pg.code()).as(pg.err()).isZero();
        assertThat(withoutTimes(pg.out())).isEqualTo(withoutTimes(sqlite.out()))
                .contains("  1  000001     1.25  <time>",
                        "Sent 20.00 to account ID 000002.",
                        "Sending 5.00 to account ID 999999 failed; the money was returned to your account.",
                        "Rejected request to transfer 1.25 to account ID 000001.");
    }

    /** Expiry times differ between two runs; everything else must not. */
    private static String withoutTimes(String out) {
        return out.replaceAll("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d", "<time>");
    }

    @Test
    @Tag("T11")
    @DisplayName("T11, cli §5: subcommands, exit codes and replay --verify on PostgreSQL")
    void subcommands() {
        var cli = new CliHarness(dir).env("JANGLE_DB_URL", EmbeddedPg.newDatabaseUrl())
                .env("JANGLE_DB_USER", "postgres").env("JANGLE_DB_PASSWORD", "postgres");
        var created = cli.runRaw("", "create-account", "--name", "Alice", "--initial-deposit", "50");
        assertThat(created.out()).as(created.err()).isEqualTo("000001\n");
        assertThat(cli.runRaw("", "create-account", "--name", "Bobby").out()).isEqualTo("000002\n");
        assertThat(cli.runRaw("", "send", "000001", "000002", "7.5", "--tx", "pg-1").out())
                .isEqualTo("pg-1 credited\n");
        var rejected = cli.runRaw("", "withdraw", "000002", "500");
        assertThat(rejected.code()).isEqualTo(1);
        assertThat(rejected.err()).contains("Rejected: Insufficient funds");
        assertThat(cli.runRaw("", "accounts").out()).containsPattern("(?m)^000001 Alice +42\\.50 +0$");
        var verify = cli.runRaw("", "replay", "--verify", "--shuffle", "7");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(cli.runRaw("", "replay").code()).isZero();
        assertThat(cli.runRaw("", "stats").out()).contains("Net balance:           50.00");
    }
}
