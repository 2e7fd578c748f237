package jangle.banking.app.cli;

import jangle.banking.AccountListItem;
import jangle.banking.AccountSummaryView;
import jangle.banking.BankStatistics;
import jangle.banking.LedgerEntry;
import jangle.banking.PendingRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The texts of cli.md §3–§4 built from read models, checked character for character. */
class FormatsTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static BigDecimal m(String s) {
        return new BigDecimal(s);
    }

    @Test
    @DisplayName("cli §3: money has two decimals and a leading minus, never truncated (fix 1)")
    void money() {
        assertThat(Formats.money(m("3.57"))).isEqualTo("3.57");
        assertThat(Formats.money(m("-11.86"))).isEqualTo("-11.86");
        assertThat(Formats.money(m("1000000"))).isEqualTo("1000000.00");
        assertThat(Formats.money(m("5.5"))).isEqualTo("5.50");
        assertThat(Formats.money(m("0"))).isEqualTo("0.00");
    }

    @Test
    @DisplayName("cli §3: times are yyyy-MM-dd HH:mm:ss in the given zone")
    void times() {
        Instant t = Instant.parse("2026-03-01T10:45:00.123456Z");
        assertThat(Formats.time(t, UTC)).isEqualTo("2026-03-01 10:45:00");
        assertThat(Formats.time(t, ZoneId.of("Europe/Paris"))).isEqualTo("2026-03-01 11:45:00");
    }

    @Test
    @Tag("T3")
    @DisplayName("T3: only numbers pass the number check; the amount rule is left to the command")
    void numbers() {
        assertThat(Formats.parseNumber("25")).isEqualByComparingTo("25");
        assertThat(Formats.parseNumber("10.50")).isEqualByComparingTo("10.50");
        assertThat(Formats.parseNumber("-5")).isEqualByComparingTo("-5");
        assertThat(Formats.parseNumber("0.001")).isEqualByComparingTo("0.001");
        assertThat(Formats.parseNumber("abc")).isNull();
        assertThat(Formats.parseNumber("1e3")).isNull();
        assertThat(Formats.parseNumber("1,000")).isNull();
        assertThat(Formats.parseNumber("")).isNull();
    }

    @Test
    @DisplayName("cli §3.1, fix 1: account table columns, alignment and widths; balances fill the line")
    void accountTable() {
        List<String> lines = Formats.accountTable(List.of(
                new AccountListItem("000001", "HSPBC", m("46.93"), 0),
                new AccountListItem("000002", "Natalie Smith", m("-11.86"), 12)), 80);
        assertThat(lines).containsExactly(
                "    ID Name            " + " ".repeat(42) + "Balance Pending",
                "000001 HSPBC           " + " ".repeat(44) + "46.93    0",
                "000002 Natalie Smith   " + " ".repeat(43) + "-11.86   12");
        assertThat(lines.get(0)).hasSize(80);
    }

    @Test
    @DisplayName("cli §3.1: the id column grows with 7-digit ids; a balance wider than the rest of the line is shown in full")
    void accountTableWideValues() {
        List<String> lines = Formats.accountTable(List.of(
                new AccountListItem("1000000", "Someone", m("1000000.00"), 0)), 20);
        assertThat(lines.get(0)).isEqualTo("     ID Name               Balance Pending");
        assertThat(lines.get(1)).isEqualTo("1000000 Someone         1000000.00    0");
    }

    @Test
    @DisplayName("issue 16.13: wide characters (CJK, emoji) are padded by display width, so the columns stay aligned")
    void accountTableWideCharacters() {
        List<AccountListItem> items = List.of(
                new AccountListItem("000001", "Alice", m("1.00"), 0),
                new AccountListItem("000002", "山田太郎さん", m("22.00"), 1),
                new AccountListItem("000003", "Bob 😀😀", m("333.00"), 2),
                new AccountListItem("000004", "漢字漢字漢字漢字漢字", m("4.00"), 3),
                new AccountListItem("000005", "José́ é", m("5.00"), 4));
        List<String> lines = Formats.accountTable(items, 80);
        // where the balance column ends, in terminal columns, is the same on every line
        int end = DisplayWidth.of(lines.get(0).substring(0, lines.get(0).indexOf("Balance") + "Balance".length()));
        for (int i = 1; i < lines.size(); i++) {
            String balance = Formats.money(items.get(i - 1).balance());
            String line = lines.get(i);
            assertThat(DisplayWidth.of(line.substring(0, line.indexOf(balance) + balance.length())))
                    .as("line %s", line).isEqualTo(end);
        }
        // a 10-letter CJK name takes 20 columns: the name column grows, the balance column gives way
        assertThat(lines.get(0)).startsWith("    ID Name                 ");
        assertThat(DisplayWidth.of(lines.get(0))).isEqualTo(80);
        assertThat(DisplayWidth.of("山田")).isEqualTo(4);
        assertThat(DisplayWidth.of("😀")).isEqualTo(2);
        assertThat(DisplayWidth.of("é")).isEqualTo(1);
    }

    @Test
    @DisplayName("cli §3.1: no accounts prints No accounts yet.")
    void noAccounts() {
        assertThat(Formats.accountTable(List.of(), 80)).containsExactly("No accounts yet.");
    }

    @Test
    @DisplayName("cli §4.2: account header with the pending-request table, exactly as the example")
    void accountHeader() {
        var view = new AccountSummaryView("000002", "Natalie", m("3.57"), List.of(
                new PendingRequest("tx-1", "000001", m("15.43"), Instant.parse("2026-03-01T10:45:00Z"))));
        assertThat(Formats.accountSummary(view, UTC)).containsExactly(
                "Account ID:       000002",
                "Account Name:     Natalie",
                "Balance:          3.57",
                "Requests awaiting your approval:",
                "  #  From     Amount  Expires At",
                "  1  000001    15.43  2026-03-01 10:45:00");
    }

    @Test
    @DisplayName("cli §4.2: with no pending request the block is one line")
    void accountHeaderNone() {
        var view = new AccountSummaryView("000002", "Natalie", m("3.57"), List.of());
        assertThat(Formats.accountSummary(view, UTC)).last().isEqualTo("Requests awaiting your approval: none");
    }

    @Test
    @DisplayName("cli §4.2: ledger table with signed amounts, or No transactions yet.")
    void ledger() {
        List<String> lines = Formats.ledger(List.of(
                new LedgerEntry(Instant.parse("2026-03-01T10:00:00Z"), m("100.00"), "deposit", "a"),
                new LedgerEntry(Instant.parse("2026-03-01T10:05:00Z"), m("-150.00"), "withdrawal", "b")), UTC);
        assertThat(lines).containsExactly(
                "Ledger:",
                "  #  Initiated At          Amount  Description",
                "  1  2026-03-01 10:00:00   100.00  deposit",
                "  2  2026-03-01 10:05:00  -150.00  withdrawal");
        assertThat(Formats.ledger(List.of(), UTC)).containsExactly("Ledger:", "No transactions yet.");
    }

    @Test
    @DisplayName("cli §4.1, fix 7: the statistics block, labels padded to one column")
    void statistics() {
        var s = new BankStatistics(1, 1, m("50.50"), 12, m("75.25"), m("150.00"), m("50.00"));
        assertThat(Formats.statistics(s)).containsExactly(
                "Bank statistics",
                "Active accounts:       1",
                "Deleted accounts:      1",
                "Net balance:           50.50",
                "Transactions:          12",
                "Average deposit:       75.25",
                "Average withdrawal:    150.00",
                "Total debt forgiven:   50.00");
    }

    @Test
    @Tag("D12")
    @Tag("D17")
    @DisplayName("D12, D17: the processors table: lowest checkpoint, furthest-behind lag, holders by segment, "
            + "an expired lease shown as free")
    void processorsTable() {
        java.time.Instant now = java.time.Instant.parse("2026-12-07T10:00:00Z");
        java.time.Instant held = now.plusSeconds(5);
        java.time.Instant gone = now.minusSeconds(5);
        var segs = List.of(
                new jangle.ProcessorStatus("bank-views", 0, 3, 40, java.util.Optional.of("node-a"), held, 2,
                        java.time.Duration.ofMillis(1500)),
                new jangle.ProcessorStatus("bank-views", 1, 3, 42, java.util.Optional.of("node-b"), held, 0,
                        java.time.Duration.ZERO),
                new jangle.ProcessorStatus("bank-views", 2, 3, 41, java.util.Optional.of("node-c"), gone, 1,
                        java.time.Duration.ofMillis(200)));
        var rows = List.of(new jangle.banking.app.ProcessorReport.Row("bank-views", segs, 1, 0));
        List<String> table = Formats.processors(rows, 42, false, now);
        assertThat(table).hasSize(3);
        assertThat(table.get(0)).matches("Processor +Checkpoint +Lag \\(events\\) +Lag \\(s\\) +Segments +Owners +Parked +Dead");
        assertThat(table.get(1)).matches("bank-views +40 +2 +1\\.5 +3 +node-a: 0; node-b: 1; free: 2 +1 +0");
        assertThat(table.get(2)).startsWith("Head of the feed: 42.");
        List<String> perSegment = Formats.processors(rows, 42, true, now);
        assertThat(perSegment).hasSize(5);
        assertThat(perSegment.get(1)).matches("bank-views +0/3 +40 +2 +1\\.5 +node-a +2026-12-07 10:00:05");
        assertThat(perSegment.get(3)).matches("bank-views +2/3 +41 +1 +0\\.2 +node-c \\(expired\\) +2026-12-07 09:59:55");
    }

    @Test
    @Tag("D12")
    @DisplayName("D12: operator grid and ages")
    void gridAndAge() {
        assertThat(Formats.grid(List.of("A", "Long header"), List.of(List.of("xyz", "1"))))
                .containsExactly("A    Long header", "xyz  1");
        assertThat(Formats.age(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(Formats.age(Duration.ofSeconds(185))).isEqualTo("3m 5s");
        assertThat(Formats.age(Duration.ofMinutes(130))).isEqualTo("2h 10m");
        assertThat(Formats.age(Duration.ofHours(99))).isEqualTo("4d 3h");
    }

    @Test
    @Tag("T2")
    @DisplayName("T2: a menu answer must be a listed number")
    void menuIndex() {
        assertThat(Screen.parseIndex("3", 5)).isEqualTo(3);
        assertThat(Screen.parseIndex("0", 5)).isZero();
        assertThat(Screen.parseIndex("6", 5)).isZero();
        assertThat(Screen.parseIndex("x", 5)).isZero();
        assertThat(Screen.parseIndex("", 5)).isZero();
        assertThat(Screen.parseIndex("99999999999", 5)).isZero();
    }
}
