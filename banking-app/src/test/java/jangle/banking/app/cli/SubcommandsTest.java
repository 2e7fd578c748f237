package jangle.banking.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The non-interactive subcommands of cli.md §5: outputs, exit codes 0/1/2/3, {@code --json}, options. */
class SubcommandsTest {
    private static final String ID_RULE =
            "must be an account number: 6 digits such as 000042, or more digits without a leading zero";

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

    private void twoAccounts() {
        assertThat(ok("create-account", "--name", "Alice", "--initial-deposit", "100")).isEqualTo("000001");
        assertThat(ok("create-account", "--name", "Bobby")).isEqualTo("000002");
    }

    @Test
    @DisplayName("cli §5: money commands print their results and exit 0")
    void moneyCommands() {
        twoAccounts();
        assertThat(ok("deposit", "000001", "25.50")).isEqualTo("125.50");
        assertThat(ok("withdraw", "000001", "10")).isEqualTo("115.50");
        assertThat(ok("send", "000001", "000002", "20")).matches("\\S+ credited");
        assertThat(ok("send", "000001", "999999", "5")).matches("\\S+ returned");
        String tx = ok("request", "000002", "000001", "15.43");
        assertThat(tx).isNotBlank().doesNotContain(" ");
        assertThat(ok("summary", "000001")).contains("Requests awaiting your approval:")
                .contains("  1  000002    15.43  ");
        assertThat(ok("accept", "000001", tx)).isEqualTo("credited");
        assertThat(ok("withdraw", "000002", "130")).isEqualTo("-94.57");
        assertThat(ok("forgive", "000002")).isEqualTo("94.57");
        String tx2 = ok("request", "000002", "000001", "1");
        assertThat(ok("reject", "000001", tx2)).isEqualTo("rejected");
        String tx3 = ok("request", "000001", "000002", "1000");
        assertThat(ok("accept", "000002", tx3)).isEqualTo("failed");
        assertThat(ok("change-name", "000002", "Bobby Brown")).isEqualTo("renamed");
        assertThat(ok("delete-account", "000002")).isEqualTo("deleted");
        assertThat(ok("delete-account", "000002")).isEqualTo("deleted");
        assertThat(ok("accounts")).containsPattern("(?m)^000001 Alice +80\\.07 +0$").doesNotContain("Bobby");
        assertThat(ok("stats")).contains("Active accounts:       1", "Deleted accounts:      1",
                "Net balance:           80.07", "Total debt forgiven:   94.57");
        assertThat(ok("ledger", "000002")).startsWith("Ledger:").contains("transfer_credit", "request_credit",
                "withdrawal", "debt_forgiveness").doesNotContain("request_debit");
    }

    @Test
    @DisplayName("cli §5: --tx makes a retried money command apply once (fresh-tx check)")
    void retryWithTx() {
        twoAccounts();
        assertThat(ok("deposit", "000002", "10", "--tx", "dep-1")).isEqualTo("10.00");
        assertThat(ok("deposit", "000002", "10", "--tx", "dep-1")).isEqualTo("10.00");
        assertThat(ok("send", "000001", "000002", "3", "--tx", "pay-1")).isEqualTo("pay-1 credited");
        assertThat(ok("send", "000001", "000002", "3", "--tx", "pay-1")).isEqualTo("pay-1 credited");
        assertThat(ok("summary", "000002")).contains("Balance:          13.00");
        var reused = cli.sub("deposit", "000002", "11", "--tx", "dep-1");
        assertThat(reused.code()).isEqualTo(1);
        assertThat(reused.err()).contains("Rejected: Transaction id 'dep-1' was already used");
    }

    @Test
    @DisplayName("cli §5: exit 1 for business rejections and unknown accounts, with Rejected: on stderr")
    void rejections() {
        twoAccounts();
        var floor = cli.sub("withdraw", "000002", "100.01");
        assertThat(floor.code()).isEqualTo(1);
        assertThat(floor.err().strip()).isEqualTo("Rejected: Insufficient funds");
        assertThat(floor.out()).isEmpty();

        var missing = cli.sub("deposit", "000009", "5");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("Rejected: Account does not exist");

        var fake = cli.sub("accept", "000002", "FAKE_ID");
        assertThat(fake.code()).isEqualTo(1);
        assertThat(fake.err()).contains("Rejected: Transaction 'FAKE_ID' not found");

        var forgive = cli.sub("forgive", "000001");
        assertThat(forgive.code()).isEqualTo(1);
        assertThat(forgive.err()).contains("Rejected: Forgiveness not applicable");

        ok("deposit", "000002", "1");
        ok("delete-account", "000002");
        var renamed = cli.sub("change-name", "000002", "Someone");
        assertThat(renamed.code()).isEqualTo(1);
        assertThat(renamed.err()).contains("Rejected: Account deleted");

        var summary = cli.sub("summary", "000002");
        assertThat(summary.code()).isEqualTo(1);
        assertThat(summary.err().strip()).isEqualTo("Account not found.");
        var ledger = cli.sub("ledger", "000042");
        assertThat(ledger.code()).isEqualTo(1);
        assertThat(ledger.err().strip()).isEqualTo("Account not found.");
        // a deleted account's ledger is still shown
        var deletedLedger = cli.sub("ledger", "000002");
        assertThat(deletedLedger.code()).isZero();
        assertThat(deletedLedger.out()).contains("1.00  deposit");
    }

    @Test
    @DisplayName("cli §5: exit 2 for bad input: unknown option, missing argument, a value breaking a field rule")
    void badInput() {
        var unknown = cli.sub("--bogus");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Invalid input: Unknown option: '--bogus'");

        assertThat(cli.sub("no-such-command").code()).isEqualTo(2);
        var missing = cli.sub("deposit", "000001");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("Invalid input: Missing required parameter");
        assertThat(cli.sub("create-account").code()).isEqualTo(2);

        var name = cli.sub("create-account", "--name", "Bob");
        assertThat(name.code()).isEqualTo(2);
        assertThat(name.err().strip()).isEqualTo("Invalid input: name must be 5 to 15 characters long");

        var id = cli.sub("deposit", "12345", "5");
        assertThat(id.code()).isEqualTo(2);
        assertThat(id.err().strip()).isEqualTo("Invalid input: accountId " + ID_RULE);

        var scale = cli.sub("deposit", "000001", "0.001");
        assertThat(scale.code()).isEqualTo(2);
        assertThat(scale.err().strip()).isEqualTo("Invalid input: amount must have at most 2 decimal places");

        var text = cli.sub("withdraw", "000001", "lots");
        assertThat(text.code()).isEqualTo(2);
        assertThat(text.err().strip()).isEqualTo("Invalid input: Amount must be a number such as 25 or 10.50.");

        var self = cli.sub("send", "000001", "000001", "5");
        assertThat(self.code()).isEqualTo(2);
        assertThat(self.err().strip()).isEqualTo("Invalid input: Cannot send funds to the same account.");

        var tx = cli.sub("deposit", "000001", "5", "--tx", "not valid!");
        assertThat(tx.code()).isEqualTo(2);
        assertThat(tx.err()).contains("transactionId must be 1 to 50 characters");

        assertThat(cli.sub("accounts", "--width", "0").code()).isEqualTo(2);
        assertThat(cli.sub("accounts", "--log-format", "xml").code()).isEqualTo(2);
        var envFormat = new CliHarness(dir).env("JANGLE_LOG_FORMAT", "xml").sub("accounts");
        assertThat(envFormat.code()).isEqualTo(2);
        assertThat(envFormat.err()).contains("JANGLE_LOG_FORMAT must be text or json, not 'xml'");
        assertThat(cli.sub("accounts", "--wait", "soon").code()).isEqualTo(2);
        assertThat(cli.sub("events", "retry", "not-a-uuid").code()).isEqualTo(2);
        assertThat(cli.sub("events", "skip", UUID.randomUUID().toString(), "--handler", "x").code()).isEqualTo(2);
        assertThat(cli.sub("replay", "--shuffle", "7").code()).isEqualTo(2);
    }

    @Test
    @DisplayName("cli §5: exit 3 for an infrastructure failure, naming the cause")
    void infrastructureFailure() throws Exception {
        Path notADatabase = dir.resolve("garbage.db");
        Files.writeString(notADatabase, "this is not a SQLite database, just text ".repeat(200), StandardCharsets.UTF_8);
        var r = cli.runRaw("", "--db", notADatabase.toString(), "accounts");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).startsWith("Error: ").containsIgnoringCase("database");
    }

    @Test
    @DisplayName("cli §1: --help and --version exit 0")
    void helpAndVersion() {
        var help = cli.runRaw("", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: jangle-bank", "create-account", "replay", "events", "--db-url");
        var subHelp = cli.runRaw("", "send", "--help");
        assertThat(subHelp.code()).isZero();
        assertThat(subHelp.out()).contains("FROM", "TO", "AMOUNT", "--tx");
        var version = cli.runRaw("", "--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("jangle-bank ");
    }

    @Test
    @DisplayName("cli §1: option beats environment variable beats default; global options also after the subcommand")
    void optionPrecedence() {
        Path fromEnv = dir.resolve("env.db");
        Path fromOption = dir.resolve("option.db");
        var env = new CliHarness(dir).env("JANGLE_DB_PATH", fromEnv.toString());
        assertThat(env.runRaw("", "create-account", "--name", "EnvBank").code()).isZero();
        assertThat(fromEnv).exists();
        assertThat(env.runRaw("", "create-account", "--name", "OptBank", "--db", fromOption.toString()).code())
                .isZero();
        assertThat(fromOption).exists();
        assertThat(env.runRaw("", "accounts").out()).contains("EnvBank").doesNotContain("OptBank");
        assertThat(env.runRaw("", "--db", fromOption.toString(), "accounts").out()).contains("OptBank")
                .doesNotContain("EnvBank");
        var wide = env.env("COLUMNS", "100").runRaw("", "accounts");
        assertThat(wide.lines().get(0)).hasSize(100);
        assertThat(env.runRaw("", "accounts", "--width", "70").lines().get(0)).hasSize(70);
    }

    @Test
    @DisplayName("cli §5: --json prints the response object or the query result")
    void jsonOutput() throws Exception {
        JsonNode created = json.readTree(ok("--json", "create-account", "--name", "Alice", "--initial-deposit", "5"));
        assertThat(created.get("success").asBoolean()).isTrue();
        assertThat(created.get("reason").isNull()).isTrue();
        assertThat(created.get("data").asText()).isEqualTo("000001");
        assertThat(created.get("aggregateId").asText()).isNotBlank();
        assertThat(created.get("version").asLong()).isPositive();
        assertThat(created.get("position").asLong()).isPositive();
        ok("create-account", "--name", "Bobby");

        JsonNode deposit = json.readTree(ok("deposit", "000001", "1.5", "--json"));
        assertThat(deposit.get("aggregateId").asText()).isEqualTo("000001");
        assertThat(deposit.get("version").asLong()).isEqualTo(3);
        assertThat(deposit.get("balance").decimalValue()).isEqualByComparingTo("6.50");

        JsonNode sent = json.readTree(ok("--json", "send", "000001", "000002", "2", "--tx", "t-1"));
        assertThat(sent.get("transactionId").asText()).isEqualTo("t-1");
        assertThat(sent.get("outcome").asText()).isEqualTo("credited");

        var rejected = cli.sub("--json", "withdraw", "000002", "500");
        assertThat(rejected.code()).isEqualTo(1);
        JsonNode rej = json.readTree(rejected.out());
        assertThat(rej.get("success").asBoolean()).isFalse();
        assertThat(rej.get("reason").asText()).isEqualTo("Insufficient funds");

        JsonNode accounts = json.readTree(ok("--json", "accounts"));
        assertThat(accounts.isArray()).isTrue();
        assertThat(accounts.get(0).get("accountId").asText()).isEqualTo("000001");
        assertThat(accounts.get(0).get("balance").decimalValue()).isEqualByComparingTo("4.50");
        assertThat(accounts.get(1).get("name").asText()).isEqualTo("Bobby");

        JsonNode stats = json.readTree(ok("--json", "stats"));
        assertThat(stats.get("activeAccounts").asLong()).isEqualTo(2);
        assertThat(stats.get("netBalance").decimalValue()).isEqualByComparingTo("6.50");

        JsonNode ledger = json.readTree(ok("--json", "ledger", "000001"));
        assertThat(ledger).hasSize(3);
        assertThat(ledger.get(0).get("initiatedAt").asText()).endsWith("Z");

        ok("request", "000001", "000002", "1", "--tx", "r-1");
        JsonNode summary = json.readTree(ok("--json", "summary", "000002"));
        assertThat(summary.get("pendingRequests").get(0).get("transactionId").asText()).isEqualTo("r-1");

        var notFound = cli.sub("--json", "summary", "000077");
        assertThat(notFound.code()).isEqualTo(1);
        JsonNode notFoundDoc = json.readTree(notFound.out());
        assertThat(notFoundDoc.get("success").asBoolean()).isFalse();
        assertThat(notFoundDoc.get("error").asText()).isEqualTo("not found");
        assertThat(notFoundDoc.get("reason").asText()).isEqualTo("Account not found.");
    }

    @Test
    @DisplayName("cli §5.1: demo runs the story, prints the steps and Done!, exit 0; --keep keeps and names its file")
    void demo() {
        var r = cli.runRaw("", "demo", "--keep");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("Step 1: ", "Step 7: ", "Step 23: ")
                .containsPattern("(?m)^  TransferDebitRolledBack +000001 v4 +amount 20\\.00 +balance 50\\.50$")
                .endsWith("Done!\n");
        String kept = r.out().lines().filter(l -> l.startsWith("Kept the demo database: ")).findFirst().orElseThrow()
                .substring("Kept the demo database: ".length());
        assertThat(Path.of(kept)).exists();
        // the kept file is a bank the other commands can open
        assertThat(cli.runRaw("", "--db", kept, "accounts").out()).containsPattern("(?m)^000002 Natalie Smith +3\\.57");
        var again = cli.runRaw("", "--db", kept, "demo");
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err().strip()).isEqualTo("demo needs an empty store: " + kept + " already holds events");
    }

    @Test
    @DisplayName("cli §5.1: demo --memory ignores JANGLE_DB_PATH and leaves no file")
    void demoInMemory() {
        Path envDb = dir.resolve("never.db");
        var r = new CliHarness(dir).env("JANGLE_DB_PATH", envDb.toString()).runRaw("", "demo", "--memory");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).endsWith("Done!\n");
        assertThat(envDb).doesNotExist();
    }

    @Test
    @Tag("R1")
    @Tag("R3")
    @Tag("R6")
    @Tag("W5")
    @DisplayName("cli §5.2, R1, R3, R6, W5: replay rebuilds a new generation and switches to it; replay --verify "
            + "--shuffle 7 finds no difference")
    void replay() {
        twoAccounts();
        ok("send", "000001", "000002", "12.5");
        ok("request", "000001", "000002", "1");
        var replay = cli.sub("replay");
        assertThat(replay.code()).isZero();
        assertThat(replay.out()).containsPattern("(?m)^Replayed \\d+ events in \\d+\\.\\d\\d s \\(\\d+ events/s\\)\\.$");
        assertThat(replay.out()).containsPattern("(?m)^Switched to the rebuilt read models at position \\d+ \\(swap \\d+ ms\\)\\.$");
        var asJson = cli.sub("--json", "replay");
        assertThat(asJson.code()).isZero();
        assertThat(asJson.out()).contains("\"events\":", "\"lastPosition\":", "\"eventsPerSecond\":", "\"swappedAt\":");
        assertThat(ok("accounts")).containsPattern("(?m)^000001 Alice +87\\.50 +0$");

        var verify = cli.sub("replay", "--verify", "--shuffle", "7");
        assertThat(verify.code()).as(verify.out()).isZero();
        assertThat(verify.out()).startsWith("No differences");
        assertThat(cli.sub("replay", "--verify").code()).isZero();
    }

    @Test
    @Tag("D12")
    @Tag("SG8")
    @DisplayName("cli §5.3, D12, SG8: operator commands on an empty ledger, unknown ids exit 1")
    void operatorCommandsEmpty() {
        twoAccounts();
        ok("request", "000001", "000002", "3", "--tx", "op-1");
        assertThat(ok("events", "pending")).isEqualTo("Nothing pending.");
        assertThat(ok("events", "dead")).isEqualTo("No dead letters.");
        // the saga of the request waits for the holder: it is open
        assertThat(ok("sagas")).contains("Saga id", "RequestSaga", "000001:op-1", "Next look",
                "Next look: the first saga daemon pass from that time on (one at start, then every 30s)");
        // issue 16.10: a request waiting for its holder is next looked at when it times out
        assertThat(ok("--json", "sagas")).containsPattern("\"timeoutAt\":(\"[^\"]+\").*\"nextLookAt\":\\1");
        ok("reject", "000002", "op-1");
        assertThat(ok("sagas")).isEqualTo("No open sagas.");
        assertThat(ok("sagas", "--all")).contains("000001:op-1", "Complete");
        String unknown = UUID.randomUUID().toString();
        var retry = cli.sub("events", "retry", unknown);
        assertThat(retry.code()).isEqualTo(1);
        assertThat(retry.err().strip()).isEqualTo("No such delivery: " + unknown);
        var skip = cli.sub("events", "skip", unknown, "--handler", "bank-views", "--reason", "test");
        assertThat(skip.code()).isEqualTo(1);
        assertThat(skip.err().strip()).isEqualTo("No such delivery: " + unknown);
        assertThat(ok("events", "retry", "--all")).isEqualTo("No dead letters.");
    }

    @Test
    @Tag("D12")
    @DisplayName("cli §5.3, D12: a parked dead letter is listed by events dead, skipped with a reason by events skip "
            + "(exit 0, gone from the lists, the account still listed), and a second skip of it exits 1")
    void skipADeadLetter() throws Exception {
        twoAccounts();
        String eventId;
        // a dead letter as a processor leaves one after its attempts: the row in the parked-deliveries table
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + cli.db());
             java.sql.Statement st = c.createStatement()) {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT event_id, position, correlation_id FROM jangle_events "
                    + "WHERE aggregate_id = '000002' ORDER BY version LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                eventId = rs.getString(1);
                try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO jangle_deliveries (event_id, "
                        + "handler, position, correlation_id, status, attempts, due_from, first_failure_at, "
                        + "last_attempt_at, last_error) VALUES (?, 'bank-views', ?, ?, 'DEAD', 5, "
                        + "'2026-12-07T00:00:00Z', '2026-12-07T00:00:00Z', '2026-12-07T00:01:00Z', 'boom')")) {
                    ps.setString(1, eventId);
                    ps.setLong(2, rs.getLong(2));
                    ps.setString(3, rs.getString(3));
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
            }
        }
        assertThat(ok("events", "dead")).contains(eventId, "bank-views", "boom");
        assertThat(ok("events", "skip", eventId, "--handler", "bank-views", "--reason", "checked by hand"))
                .isEqualTo("Skipped " + eventId + " for bank-views.");
        assertThat(ok("events", "dead")).isEqualTo("No dead letters.");
        assertThat(ok("events", "pending")).isEqualTo("Nothing pending.");
        assertThat(ok("accounts")).contains("000002", "Bobby");
        var again = cli.sub("events", "skip", eventId, "--handler", "bank-views", "--reason", "twice");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err().strip()).isEqualTo("No such delivery: " + eventId);
    }

    @Test
    @Tag("D12")
    @Tag("D17")
    @DisplayName("cli §5.3, D12, D17: with JANGLE_BANK_DISPATCH=off events wait behind the processors' checkpoints, "
            + "not as pending deliveries; the next run with dispatch handles them")
    void operatorCommandsPending() throws Exception {
        twoAccounts(); // dispatch on: the processors have checkpoints now
        var off = new CliHarness(dir).env("JANGLE_BANK_DISPATCH", "off");
        assertThat(off.sub("create-account", "--name", "Carol", "--initial-deposit", "5").code()).isZero();
        // nothing failed, so nothing is parked: the new events lie after bank-views' checkpoint
        assertThat(off.sub("events", "pending", "--handler", "bank-views").out().strip()).isEqualTo("Nothing pending.");
        JsonNode doc = json.readTree(off.sub("--json", "events", "processors").out());
        long head = doc.get("lastPosition").asLong();
        JsonNode views = null;
        for (JsonNode p : doc.get("processors")) if (p.get("processor").asText().equals("bank-views")) views = p;
        assertThat(views).as(doc.toString()).isNotNull();
        assertThat(views.get("position").asLong()).isLessThan(head);
        assertThat(views.get("lagEvents").asLong()).isPositive();
        // the next run with dispatch catches up: Carol is in the read model, the views equal a replay
        var verify = cli.sub("replay", "--verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(ok("accounts")).contains("Carol");
    }
}
