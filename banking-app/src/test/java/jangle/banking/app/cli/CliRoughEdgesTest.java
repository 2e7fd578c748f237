package jangle.banking.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rough edges of issue 16 (items 12, 14–16, 18, 19) that a new user meets on the command line. */
class CliRoughEdgesTest {
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
    @DisplayName("issue 16.12: the ledger of a deleted account that never had a transaction is shown, not 'not found'")
    void ledgerOfDeletedAccountWithoutTransactions() {
        assertThat(ok("create-account", "--name", "Quiet One")).isEqualTo("000001");
        ok("delete-account", "000001");
        assertThat(ok("ledger", "000001")).isEqualTo("Ledger:\nNo transactions yet.");
        JsonNode empty = readJson(ok("--json", "ledger", "000001"));
        assertThat(empty.isArray()).isTrue();
        assertThat(empty).isEmpty();
        var never = cli.sub("ledger", "000002");
        assertThat(never.code()).isEqualTo(1);
        assertThat(never.err().strip()).isEqualTo("Account not found.");
    }

    @Test
    @DisplayName("issue 16.12: --json prints a JSON error document for not found, bad input and unknown options")
    void jsonErrors() {
        var missing = cli.sub("--json", "ledger", "999999");
        assertThat(missing.code()).isEqualTo(1);
        assertError(missing.out(), "not found", "Account not found.");

        var badAmount = cli.sub("--json", "deposit", "000001", "lots");
        assertThat(badAmount.code()).isEqualTo(2);
        assertError(badAmount.out(), "bad input", "Amount must be a number such as 25 or 10.50.");
        assertThat(badAmount.err()).startsWith("Invalid input: ");

        var badId = cli.sub("deposit", "12", "5", "--json");
        assertThat(badId.code()).isEqualTo(2);
        assertThat(readJson(badId.out()).get("reason").asText()).startsWith("accountId must be an account number");

        var unknownOption = cli.sub("--json", "accounts", "--bogus");
        assertThat(unknownOption.code()).isEqualTo(2);
        assertError(unknownOption.out(), "bad input", "Unknown option: '--bogus'");
    }

    private void assertError(String out, String error, String reason) {
        JsonNode doc = readJson(out);
        assertThat(doc.get("success").asBoolean()).isFalse();
        assertThat(doc.get("error").asText()).isEqualTo(error);
        assertThat(doc.get("reason").asText()).isEqualTo(reason);
    }

    private JsonNode readJson(String text) {
        assertThat(text.strip().lines().count()).as("one JSON document: %s", text).isEqualTo(1);
        try {
            return json.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Test
    @DisplayName("issue 16.14: summary shows the pending requests' transaction ids, which accept and reject take")
    void summaryShowsTransactionIds() {
        ok("create-account", "--name", "Alice", "--initial-deposit", "10");
        ok("create-account", "--name", "Bobby");
        String tx = ok("request", "000002", "000001", "2.50");
        String summary = ok("summary", "000001");
        assertThat(summary).contains("Transaction").containsPattern("(?m)^  1  000002 +2\\.50  \\S.* " + tx + "$");
        assertThat(ok("accept", "000001", tx)).isEqualTo("credited");
    }

    @Test
    @DisplayName("issue 16.15: demo refuses --db-url and --json instead of ignoring them")
    void demoRefusesOptionsItCannotHonour() {
        var url = cli.runRaw("", "demo", "--db-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(url.code()).isEqualTo(2);
        assertThat(url.err()).startsWith("Invalid input: demo runs on a SQLite file (--db) or in memory (--memory)");
        var asJson = cli.runRaw("", "--json", "demo", "--memory");
        assertThat(asJson.code()).isEqualTo(2);
        assertThat(asJson.err()).contains("--json is not supported");
        assertThat(asJson.out()).doesNotContain("Step 1");
    }

    @Test
    @DisplayName("issue 16.16: create-account --initial-deposit 0 opens the account without a deposit, as the terminal")
    void initialDepositZero() {
        assertThat(ok("create-account", "--name", "Zero Start", "--initial-deposit", "0")).isEqualTo("000001");
        assertThat(ok("create-account", "--name", "Zero Point", "--initial-deposit", "0.00")).isEqualTo("000002");
        assertThat(ok("ledger", "000001")).isEqualTo("Ledger:\nNo transactions yet.");
        assertThat(ok("accounts")).containsPattern("(?m)^000002 Zero Point +0\\.00 +0$");
        var negative = cli.sub("create-account", "--name", "Negative", "--initial-deposit", "-1");
        assertThat(negative.code()).isEqualTo(2);
    }

    @Test
    @DisplayName("issue 16.18: events --handler with an unknown name says so and lists the handlers")
    void unknownHandler() {
        ok("create-account", "--name", "Alice");
        for (String verb : List.of("pending", "dead")) {
            var r = cli.sub("events", verb, "--handler", "nope");
            assertThat(r.code()).as(verb).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("Invalid input: unknown handler 'nope'; the handlers are: ")
                    .contains("bank-views", "RequestSaga");
        }
        assertThat(cli.sub("events", "retry", "--all", "--handler", "nope").code()).isEqualTo(2);
        assertThat(ok("events", "pending", "--handler", "bank-views")).isEqualTo("Nothing pending.");
    }

    @Test
    @DisplayName("issue 16.19: --help describes every parameter and option of every command, cites no issue or spec")
    void helpDescribesEverything() {
        List<String> undescribed = new ArrayList<>();
        CommandLine root = new Cli(null).commandLine();
        collect(root, undescribed);
        assertThat(undescribed).as("parameters and options without a description").isEmpty();

        var help = cli.runRaw("", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).doesNotContain("issue 7", "§", "banking.md")
                .contains("JANGLE_DB_USER", "JANGLE_DB_PASSWORD")
                .contains("./jangle-bank.db", "./jangle-bank.log"); // not wrapped mid-name at 80 columns
        for (String name : root.getSubcommands().keySet()) {
            var sub = cli.runRaw("", name, "--help");
            assertThat(sub.code()).as(name).isZero();
            assertThat(sub.out()).as(name).doesNotContain("issue 7", "§");
        }

        var missing = cli.sub("deposit", "000001");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("Try 'jangle-bank deposit --help' for usage.");
        var nested = cli.sub("events", "skip");
        assertThat(nested.err()).contains("Try 'jangle-bank events skip --help' for usage.");
    }

    private static void collect(CommandLine cl, List<String> undescribed) {
        CommandSpec spec = cl.getCommandSpec();
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec a : args) {
            String[] d = a.description();
            if (d.length == 0 || String.join("", d).isBlank()) {
                undescribed.add(spec.qualifiedName() + " " + a.paramLabel() + " " + a);
            }
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, undescribed));
    }
}
