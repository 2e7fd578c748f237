package jangle.banking.app.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interactive terminal driven through piped stdin, in-process (T1, T7): every fix of cli.md §7 and every screen,
 * with the exact texts. Without a TTY the terminal echoes each answer after its prompt, so the output reads like the
 * screen a person would have seen.
 */
class TerminalPipedTest {
    private static final String ROOT_MENU = String.join("\n",
            "Select an option...",
            "1) Create account",
            "2) Delete account",
            "3) Select account",
            "4) Show bank statistics",
            "5) Quit",
            "Select an option: ");
    private static final String ACCOUNT_MENU = String.join("\n",
            "Select an option...",
            "1) Back",
            "2) Deposit funds",
            "3) Withdraw funds",
            "4) Send funds to another account",
            "5) Request funds from another account",
            "6) Forgive debt",
            "7) Accept funds request",
            "8) Reject funds request",
            "9) View account ledger",
            "10) Change account name",
            "Select an option: ");

    @TempDir
    Path dir;
    private CliHarness cli;

    @BeforeEach
    void setUp() {
        cli = new CliHarness(dir);
    }

    /** Joins answers into piped stdin, one per line. */
    private static String input(String... answers) {
        return String.join("\n", answers) + "\n";
    }

    /** Creates an account through the terminal's own screen. */
    private static List<String> create(String name, String balance) {
        return List.of("1", name, balance, "");
    }

    private static String[] script(List<?>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).map(String::valueOf).toArray(String[]::new);
    }

    @Test
    @Tag("T2")
    @DisplayName("cli §2, T2, fix 10: start-up lines, empty bank, root menu, Quit prints Goodbye. and exits 0")
    void startAndQuit() {
        var r = cli.run(input("5"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith(String.join("\n",
                "Jangle Banking",
                "Jangle Banking terminal initializing...",
                "Initialization complete.",
                "Initializing background tasks...",
                "Background tasks initialized.",
                "",
                "No accounts yet.",
                ROOT_MENU + "5",
                "Goodbye.")).endsWith("Goodbye.\n");
        assertThat(r.out()).doesNotContain("Resuming:");
        assertThat(r.err()).isEmpty();
    }

    @Test
    @Tag("T6")
    @DisplayName("T6, fix 10: end of input at any prompt means Quit, exit 0")
    void endOfInputQuits() {
        var atRoot = cli.run("");
        assertThat(atRoot.code()).isZero();
        assertThat(atRoot.out()).endsWith(ROOT_MENU + "\nGoodbye.\n");

        var midPrompt = cli.run("1\nNatal"); // the last line has no newline, then the input ends
        assertThat(midPrompt.code()).isZero();
        assertThat(midPrompt.out()).contains("Account name (5-15 chars): Natal\n")
                .endsWith("Starting balance (ENTER for 0): \nGoodbye.\n");
    }

    @Test
    @Tag("T2")
    @DisplayName("T2: anything but a listed number prints Valid options are 1 to n. and asks again")
    void invalidOption() {
        var r = cli.run(input("9", "abc", "", "5"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains(
                "Select an option: 9\nValid options are 1 to 5.\n"
                        + "Select an option: abc\nValid options are 1 to 5.\n"
                        + "Select an option: \nValid options are 1 to 5.\n"
                        + "Select an option: 5\nGoodbye.");
    }

    @Test
    @DisplayName("fix 2: ENTER (or 0, or 0.00) at the starting balance creates an account without a deposit")
    void enterForZero() {
        var r = cli.run(input(script(create("Natalie", ""), create("Bobby", "0"), create("Carol", "0.00"),
                List.of("3", "000001", "9", ""), List.of("1", "5"))));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Starting balance (ENTER for 0): \nAccount successfully created with id '000001'.\n"
                        + "Enter to continue...")
                .contains("Account successfully created with id '000002'.")
                .contains("Account successfully created with id '000003'.")
                .contains("Balance:          0.00\nLedger:\nNo transactions yet.\n");
        assertThat(r.out()).doesNotContain("error");
    }

    @Test
    @Tag("T3")
    @DisplayName("fix 3, T3: the name rule is the command's; a 4-character name is refused and asked again")
    void nameRule() {
        var r = cli.run(input("1", "Nata", "Natalie Smithson", "Natalie", "", "", "5"));
        assertThat(r.out()).contains("Account name (5-15 chars): Nata\nname must be 5 to 15 characters long\n"
                + "Account name (5-15 chars): Natalie Smithson\nname must be 5 to 15 characters long\n"
                + "Account name (5-15 chars): Natalie\nStarting balance (ENTER for 0): \n"
                + "Account successfully created with id '000001'.");
    }

    @Test
    @DisplayName("issue 16.17: an empty answer at an account, name or amount prompt goes back (Cancelled.)")
    void promptsCanBeCancelled() {
        var r = cli.run(input(script(List.of("1", ""), create("Natalie", "7"),
                List.of("2", "", "3", ""),
                List.of("3", "000001", "2", "", "3", "", "4", "", "4", "000002", "", "5", "", "5", "000002", "",
                        "10", "", "1"),
                List.of("5"))));
        assertThat(r.code()).isZero();
        String out = r.out();
        for (String prompt : List.of("Account name (5-15 chars): ", "ID of account to delete: ",
                "ID of account to select: ", "How much to deposit? ", "How much to withdraw? ",
                "Account ID to send funds to: ", "Amount to send: ", "Account ID to request funds from: ",
                "Amount to request: ", "New account name (5-15 chars): ")) {
            assertThat(out).as(prompt).contains(prompt + "\nCancelled.\n");
        }
        // nothing was sent: one account, its starting balance untouched, no request
        assertThat(out).containsPattern("(?m)^000001 Natalie +7\\.00 +0$").doesNotContain("000002 ")
                .doesNotContain("successfully deposited", "Requested ", "Sent ", "name changed");
        assertThat(out).endsWith("Goodbye.\n");
    }

    @Test
    @Tag("T3")
    @DisplayName("fix 4, T3: 10.50 is accepted; text that is not a number and amounts breaking the rule are re-asked")
    void decimalStartingBalance() {
        var r = cli.run(input("1", "Natalie", "ten", "0.001", "-5", "1000000.01", "10.50", "", "5"));
        assertThat(r.out()).contains("Starting balance (ENTER for 0): ten\n"
                + "Amount must be a number such as 25 or 10.50.\n"
                + "Starting balance (ENTER for 0): 0.001\ninitialDeposit must have at most 2 decimal places\n"
                + "Starting balance (ENTER for 0): -5\ninitialDeposit must be greater than 0\n"
                + "Starting balance (ENTER for 0): 1000000.01\ninitialDeposit must not exceed 1000000.00\n"
                + "Starting balance (ENTER for 0): 10.50\nAccount successfully created with id '000001'.");
        assertThat(r.out()).containsPattern("(?m)^000001 Natalie +10\\.50 +0$");
    }

    @Test
    @DisplayName("fix 5, fix 11: Select with an unknown id prints Account not found.; a malformed id gets the account id message")
    void selectUnknown() {
        var r = cli.run(input("3", "abc", "42", "000042", "", "2", "x", "000007", "", "5"));
        String idRule = "accountId must be an account number: 6 digits such as 000042, or more digits without a leading zero";
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ID of account to select: abc\n" + idRule + "\n"
                        + "ID of account to select: 42\n" + idRule + "\n"
                        + "ID of account to select: 000042\nAccount not found.\nEnter to continue...")
                .contains("ID of account to delete: x\n" + idRule + "\n"
                        + "ID of account to delete: 000007\n"
                        + "There was an error deleting the account: Account does not exist\n");
        assertThat(r.out()).doesNotContain("must be 6 characters");
    }

    @Test
    @DisplayName("fix 6: Accept and Reject with no pending request return to the account screen")
    void noPendingRequests() {
        var r = cli.run(input(script(create("Natalie", ""), List.of("3", "000001", "7", "", "8", "", "1", "5"))));
        assertThat(r.code()).isZero();
        assertThat(r.out()).containsSubsequence(
                ACCOUNT_MENU + "7\nThere are no pending requests.\nEnter to continue...",
                "Account ID:       000001",
                ACCOUNT_MENU + "8\nThere are no pending requests.\nEnter to continue...",
                "Account ID:       000001",
                ACCOUNT_MENU + "1\n",
                ROOT_MENU + "5\nGoodbye.");
    }

    @Test
    @DisplayName("fix 8: sending or requesting to one's own account is refused clearly and asked again")
    void ownAccount() {
        var r = cli.run(input(script(create("Natalie", "50"), create("Bobby", ""),
                List.of("3", "000001", "4", "000001", "000002", "abc", "0", "5", "",
                        "5", "000001", "000002", "2.5", "", "1", "5"))));
        assertThat(r.out()).contains("Account ID to send funds to: 000001\nYou cannot send funds to your own account.\n"
                        + "Account ID to send funds to: 000002\nAmount to send: abc\n"
                        + "Amount must be a number such as 25 or 10.50.\n"
                        + "Amount to send: 0\namount must be greater than 0\nAmount to send: 5\n"
                        + "Sent 5.00 to account ID 000002.\n")
                .contains("Account ID to request funds from: 000001\n"
                        + "You cannot request funds from your own account.\n"
                        + "Account ID to request funds from: 000002\nAmount to request: 2.5\n"
                        + "Requested 2.50 from account ID 000002.\n");
    }

    @Test
    @Tag("T7")
    @DisplayName("T7, fix 9: no TTY: width from --width, else COLUMNS, else 80; no colour codes")
    void widthWithoutTty() {
        String in = input(script(create("Natalie", "1000000"), List.of("5")));
        var standard = cli.run(in);
        assertThat(header(standard.out())).hasSize(80);
        assertThat(standard.out()).doesNotContain("\u001b");

        var columns = new CliHarness(dir.resolve("c")).env("COLUMNS", "100").run(in);
        assertThat(header(columns.out())).hasSize(100);

        var option = new CliHarness(dir.resolve("o")).env("COLUMNS", "100").run(in, "--width", "60");
        assertThat(header(option.out())).hasSize(60);
        // fix 1: the full balance, and the full header, even in a narrow table
        var narrow = new CliHarness(dir.resolve("n")).run(in, "--width", "20");
        assertThat(narrow.out()).contains("    ID Name               Balance Pending")
                .containsPattern("(?m)^000001 Natalie +1000000\\.00 +0$");
    }

    private static String header(String out) {
        return out.lines().filter(l -> l.strip().startsWith("ID ")).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    @DisplayName("fix 12: typos fixed in the texts that had them")
    void typos() {
        var r = cli.run(input(script(create("Natalie", "20"), List.of("3", "000001", "3", "5", "", "1", "5"))));
        assertThat(r.out()).contains("Background tasks initialized.")
                .contains("5.00 successfully withdrawn from 000001.");
        assertThat(r.out().toLowerCase()).doesNotContain("backround").doesNotContain("sucessfully")
                .doesNotContain("succesfully").doesNotContain("withdrawed").doesNotContain("no longer then");
    }

    @Test
    @Tag("T4")
    @Tag("T5")
    @DisplayName("T4, T5, cli §4: every screen and result text, in one session")
    void everyScreen() {
        var r = cli.run(input(script(
                create("Alice", "100"), create("Bobby", ""),
                List.of("3", "000001"),
                List.of("2", "25.5", ""),                   // deposit
                List.of("3", "10", ""),                     // withdraw
                List.of("3", "500", ""),                    // withdraw: refused
                List.of("4", "000002", "20", ""),           // send: credited
                List.of("4", "999999", "5", ""),            // send: returned
                List.of("5", "000002", "15.43", ""),        // request
                List.of("9", ""),                           // ledger
                List.of("1"),                               // back
                List.of("3", "000002"),
                List.of("7", "3", "1", ""),                 // accept: credited
                List.of("8", ""),                           // reject: none pending
                List.of("3", "100", ""),                    // withdraw to -95.43
                List.of("6", ""),                           // forgive
                List.of("6", ""),                           // forgive: not applicable
                List.of("10", "Bob", "Bobby Brown", ""),    // rename
                List.of("1"),
                List.of("3", "000001", "5", "000002", "1000", "", "1"),
                List.of("3", "000002", "7", "1", ""),       // accept: payment failed
                List.of("1"),
                List.of("3", "000001", "5", "000002", "5", "", "1"),
                List.of("3", "000002", "8", "", "8", "1", ""), // reject: cancel, then reject
                List.of("1"),
                List.of("3", "000001", "5", "000002", "7", "", "1"),
                List.of("2", "000001", ""),                 // delete the requester
                List.of("2", "000001", ""),                 // delete again: still fine
                List.of("3", "000001", ""),                 // deleted: not found
                List.of("3", "000002", "7", "1", ""),       // accept: returned
                List.of("1"),
                List.of("4", ""),                           // statistics
                List.of("5"))));
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).containsSubsequence(
                "Account successfully created with id '000001'.",
                "Account successfully created with id '000002'.",
                "Account ID:       000001\nAccount Name:     Alice\nBalance:          100.00\n"
                        + "Requests awaiting your approval: none\n" + ACCOUNT_MENU,
                "How much to deposit? 25.5\n25.50 successfully deposited into 000001.\nEnter to continue...",
                "Balance:          125.50",
                "How much to withdraw? 10\n10.00 successfully withdrawn from 000001.\nEnter to continue...",
                "How much to withdraw? 500\nThere was an error withdrawing funds: Insufficient funds\n",
                "Account ID to send funds to: 000002\nAmount to send: 20\nSent 20.00 to account ID 000002.\n",
                "Amount to send: 5\nSending 5.00 to account ID 999999 failed; the money was returned to your account.\n",
                "Amount to request: 15.43\nRequested 15.43 from account ID 000002.\n",
                "Account ID:       000001\nAccount Name:     Alice\nBalance:          95.50\n",
                "Ledger:\n  #  Initiated At          Amount  Description\n",
                "   100.00  deposit\n",
                "    25.50  deposit\n",
                "   -10.00  withdrawal\n",
                "   -20.00  transfer_debit\n",
                "    -5.00  transfer_debit\n",
                "     5.00  transfer_debit_rollback\n",
                "Account ID:       000002\nAccount Name:     Bobby\nBalance:          20.00\n"
                        + "Requests awaiting your approval:\n  #  From     Amount  Expires At\n  1  000001    15.43  ",
                "Which entry to accept? 3\nSpecify a valid entry # between 1 and 1.\nWhich entry to accept? 1\n"
                        + "Accepted request to transfer 15.43 to account ID 000001.\n",
                "Balance:          4.57\nRequests awaiting your approval: none\n",
                "There are no pending requests.",
                "How much to withdraw? 100\n100.00 successfully withdrawn from 000002.\n",
                "Balance:          -95.43",
                "Your debt has been forgiven! Balance reset to 0.00.\n",
                "Debt forgiveness failed: Forgiveness not applicable\n",
                "New account name (5-15 chars): Bob\nname must be 5 to 15 characters long\n"
                        + "New account name (5-15 chars): Bobby Brown\nAccount name changed to 'Bobby Brown'.\n",
                "Requested 1000.00 from account ID 000002.",
                "Accepted request to transfer 1000.00 to account ID 000001, but the payment failed.\n",
                "Requested 5.00 from account ID 000002.",
                "Which entry to reject? \n",
                "Which entry to reject? 1\nRejected request to transfer 5.00 to account ID 000001.\n",
                "Requested 7.00 from account ID 000002.",
                "ID of account to delete: 000001\nAccount with id 000001 successfully deleted.\n",
                "ID of account to delete: 000001\nAccount with id 000001 successfully deleted.\n",
                "ID of account to select: 000001\nAccount not found.\n",
                "Accepted request to transfer 7.00 to account ID 000001, but it could not be delivered; "
                        + "the money was returned to your account.\n",
                String.join("\n", "Bank statistics",
                        "Active accounts:       1",
                        "Deleted accounts:      1",
                        "Net balance:           110.93",
                        "Transactions:          13",
                        "Average deposit:       62.75",
                        "Average withdrawal:    55.00",
                        "Total debt forgiven:   95.43",
                        "Enter to continue..."),
                "Goodbye.");
        // the root table after the deletion shows Bobby Brown alone
        assertThat(r.out()).containsPattern("(?m)^000002 Bobby Brown +0\\.00 +0$");
    }

    @Test
    @DisplayName("fix 7, cli §4.1: bank statistics on an empty bank")
    void statisticsEmpty() {
        var r = cli.run(input("4", "", "5"));
        assertThat(r.out()).contains(String.join("\n", "Bank statistics",
                "Active accounts:       0",
                "Deleted accounts:      0",
                "Net balance:           0.00",
                "Transactions:          0",
                "Average deposit:       0.00",
                "Average withdrawal:    0.00",
                "Total debt forgiven:   0.00"));
    }

    @Test
    @Tag("T8")
    @Tag("T10")
    @DisplayName("T8, T10: state lives in the file: a second terminal and a subcommand see the first one's accounts")
    void persistence() {
        cli.run(input(script(create("Natalie", "12.34"), List.of("5"))));
        var again = cli.run(input("5"));
        assertThat(again.out()).containsPattern("(?m)^000001 Natalie +12\\.34 +0$");
        assertThat(cli.sub("accounts").out()).containsPattern("(?m)^000001 Natalie +12\\.34 +0$");
    }
}
