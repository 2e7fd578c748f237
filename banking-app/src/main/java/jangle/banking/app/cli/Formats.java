package jangle.banking.app.cli;

import jangle.banking.AccountListItem;
import jangle.banking.AccountSummaryView;
import jangle.banking.BankStatistics;
import jangle.banking.LedgerEntry;
import jangle.banking.PendingRequest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The texts of cli.md §3–§4 that are built from read models: money, times, the account table, the account header,
 * the pending-request and ledger tables and the statistics block. Pure functions of their arguments, so the terminal
 * and the subcommands print exactly the same thing and tests can compute expected output.
 */
final class Formats {
    /** cli.md §3: times in the machine's zone. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** What the terminal accepts as a number before the amount rule runs (T3). */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");

    static final String NOT_A_NUMBER = "Amount must be a number such as 25 or 10.50.";

    private static final int NAME_WIDTH = 15;
    private static final int PENDING_WIDTH = 7;
    private static final int MIN_ID_WIDTH = 6;
    private static final int MIN_AMOUNT_WIDTH = 7;
    private static final int HEADER_LABEL_WIDTH = 18;
    private static final int STATS_LABEL_WIDTH = 23;

    private Formats() {
    }

    /** Two decimals, leading minus when negative, never truncated or grouped (cli.md §3). */
    static String money(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }

    static String time(Instant instant, ZoneId zone) {
        return TIME.format(instant.atZone(zone));
    }

    /**
     * Parses a typed amount: null when the text is not a number (the caller prints {@link #NOT_A_NUMBER}). The amount
     * rule itself (positive, two decimals, maximum) is left to the command's constructor.
     */
    static BigDecimal parseNumber(String text) {
        if (text == null || !NUMBER.matcher(text).matches()) return null;
        return new BigDecimal(text);
    }

    /** The account table of cli.md §3.1: right-aligned ids, 15-wide names, balances filling the line, centred pending. */
    static List<String> accountTable(List<AccountListItem> items, int width) {
        if (items.isEmpty()) return List.of("No accounts yet.");
        int idWidth = MIN_ID_WIDTH;
        int nameWidth = NAME_WIDTH; // 15 columns, more when a name of wide characters needs them
        int longestBalance = "Balance".length();
        for (AccountListItem i : items) {
            idWidth = Math.max(idWidth, i.accountId().length());
            nameWidth = Math.max(nameWidth, length(i.name()));
            longestBalance = Math.max(longestBalance, money(i.balance()).length());
        }
        int balanceWidth = Math.max(longestBalance, width - idWidth - nameWidth - PENDING_WIDTH - 3);
        List<String> lines = new ArrayList<>(items.size() + 1);
        lines.add(row(right("ID", idWidth), left("Name", nameWidth), right("Balance", balanceWidth),
                centre("Pending", PENDING_WIDTH)));
        for (AccountListItem i : items) {
            lines.add(row(right(i.accountId(), idWidth), left(i.name(), nameWidth),
                    right(money(i.balance()), balanceWidth),
                    centre(String.valueOf(i.pendingRequestCount()), PENDING_WIDTH)));
        }
        return lines;
    }

    /** The first three header lines of the account screen (cli.md §4.2). */
    static List<String> accountHeader(String accountId, String name, BigDecimal balance) {
        return List.of(label("Account ID:", HEADER_LABEL_WIDTH) + accountId,
                label("Account Name:", HEADER_LABEL_WIDTH) + name,
                label("Balance:", HEADER_LABEL_WIDTH) + money(balance));
    }

    /** The whole account-screen header: id, name, balance and the requests awaiting approval. */
    static List<String> accountSummary(AccountSummaryView view, ZoneId zone) {
        return accountSummary(view, zone, false);
    }

    /** The account-screen header; {@code transactionIds} adds the requests' ids, which {@code accept} needs. */
    static List<String> accountSummary(AccountSummaryView view, ZoneId zone, boolean transactionIds) {
        List<String> lines = new ArrayList<>(accountHeader(view.accountId(), view.name(), view.balance()));
        if (view.pendingRequests().isEmpty()) {
            lines.add("Requests awaiting your approval: none");
        } else {
            lines.add("Requests awaiting your approval:");
            lines.addAll(pendingTable(view.pendingRequests(), zone, transactionIds));
        }
        return lines;
    }

    /** {@code #  From  Amount  Expires At}, numbered from 1, indented by two spaces. */
    static List<String> pendingTable(List<PendingRequest> pending, ZoneId zone) {
        return pendingTable(pending, zone, false);
    }

    /** The pending table; with {@code transactionIds} a last column {@code Transaction}. */
    static List<String> pendingTable(List<PendingRequest> pending, ZoneId zone, boolean transactionIds) {
        int numberWidth = String.valueOf(pending.size()).length();
        int fromWidth = MIN_ID_WIDTH;
        int amountWidth = MIN_AMOUNT_WIDTH;
        for (PendingRequest p : pending) {
            fromWidth = Math.max(fromWidth, p.requesterAccountId().length());
            amountWidth = Math.max(amountWidth, money(p.amount()).length());
        }
        List<String> lines = new ArrayList<>();
        int timeWidth = "yyyy-MM-dd HH:mm:ss".length();
        lines.add(indented(right("#", numberWidth), left("From", fromWidth), right("Amount", amountWidth),
                transactionIds ? left("Expires At", timeWidth) + "  Transaction" : "Expires At"));
        int n = 1;
        for (PendingRequest p : pending) {
            String expires = time(p.timeoutAt(), zone);
            lines.add(indented(right(String.valueOf(n++), numberWidth), left(p.requesterAccountId(), fromWidth),
                    right(money(p.amount()), amountWidth),
                    transactionIds ? expires + "  " + p.transactionId() : expires));
        }
        return lines;
    }

    /** {@code Ledger:} and the table {@code #, Initiated At, Amount, Description}, or {@code No transactions yet.} */
    static List<String> ledger(List<LedgerEntry> entries, ZoneId zone) {
        List<String> lines = new ArrayList<>();
        lines.add("Ledger:");
        if (entries.isEmpty()) {
            lines.add("No transactions yet.");
            return lines;
        }
        int numberWidth = String.valueOf(entries.size()).length();
        int amountWidth = MIN_AMOUNT_WIDTH;
        for (LedgerEntry e : entries) amountWidth = Math.max(amountWidth, money(e.amount()).length());
        int timeWidth = "yyyy-MM-dd HH:mm:ss".length();
        lines.add(indented(right("#", numberWidth), left("Initiated At", timeWidth), right("Amount", amountWidth),
                "Description"));
        int n = 1;
        for (LedgerEntry e : entries) {
            lines.add(indented(right(String.valueOf(n++), numberWidth), time(e.initiatedAt(), zone),
                    right(money(e.amount()), amountWidth), e.transactionType()));
        }
        return lines;
    }

    /** The statistics block of cli.md §4.1, labels padded to one column. */
    static List<String> statistics(BankStatistics s) {
        return List.of("Bank statistics",
                label("Active accounts:", STATS_LABEL_WIDTH) + s.activeAccounts(),
                label("Deleted accounts:", STATS_LABEL_WIDTH) + s.deletedAccounts(),
                label("Net balance:", STATS_LABEL_WIDTH) + money(s.netBalance()),
                label("Transactions:", STATS_LABEL_WIDTH) + s.transactionCount(),
                label("Average deposit:", STATS_LABEL_WIDTH) + money(s.averageDeposit()),
                label("Average withdrawal:", STATS_LABEL_WIDTH) + money(s.averageWithdrawal()),
                label("Total debt forgiven:", STATS_LABEL_WIDTH) + money(s.debtForgiven()));
    }

    /**
     * A plain table for operator output: a header and rows, each column as wide as its widest cell, two spaces
     * apart, nothing truncated.
     */
    static List<String> grid(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) widths[c] = length(headers.get(c));
        for (List<String> r : rows) {
            for (int c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c], length(r.get(c)));
        }
        List<String> lines = new ArrayList<>(rows.size() + 1);
        lines.add(gridRow(headers, widths));
        for (List<String> r : rows) lines.add(gridRow(r, widths));
        return lines;
    }

    /**
     * The processors table of {@code events processors} (D12, D17): per processor its lowest checkpoint, its
     * furthest-behind segment's lag in events and in seconds, who holds which segment, and its parked and dead
     * deliveries; with {@code perSegment} one line per segment instead, with the lease. A holder whose lease has run
     * out by {@code now} is shown as {@code (expired)}: the segment is free for any node.
     */
    static List<String> processors(List<jangle.banking.app.ProcessorReport.Row> rows, long lastPosition,
                                   boolean perSegment, Instant now) {
        List<List<String>> cells = new ArrayList<>();
        List<String> headers;
        if (perSegment) {
            headers = List.of("Processor", "Segment", "Checkpoint", "Lag (events)", "Lag (s)", "Owner", "Lease until");
            for (var r : rows) {
                for (jangle.ProcessorStatus st : r.segments()) {
                    cells.add(List.of(r.processor(), st.segment() + "/" + st.segments(), String.valueOf(st.position()),
                            String.valueOf(st.lagEvents()), lagSeconds(st.lagTime()), owner(st, now),
                            st.owner().isEmpty() ? "-" : TIME.format(st.leaseUntil().atZone(ZoneOffset.UTC))));
                }
            }
        } else {
            headers = List.of("Processor", "Checkpoint", "Lag (events)", "Lag (s)", "Segments", "Owners", "Parked",
                    "Dead");
            for (var r : rows) {
                cells.add(List.of(r.processor(), String.valueOf(r.position()), String.valueOf(r.lagEvents()),
                        lagSeconds(r.lagTime()), String.valueOf(r.segments().size()), owners(r.segments(), now),
                        String.valueOf(r.pending()), String.valueOf(r.dead())));
            }
        }
        List<String> lines = new ArrayList<>(grid(headers, cells));
        lines.add("Head of the feed: " + lastPosition + ". Checkpoint: the lowest of the processor's segments; lag: "
                + "its furthest-behind segment.");
        return lines;
    }

    /** Lag in seconds with one decimal ({@code 0.0} when caught up). */
    static String lagSeconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    private static String owner(jangle.ProcessorStatus st, Instant now) {
        if (st.owner().isEmpty()) return "-";
        return st.owner().get() + (st.leaseUntil().isBefore(now) ? " (expired)" : "");
    }

    /** {@code node-a: 0,1; node-b: 2,3; free: 4}: who holds which segment. */
    static String owners(List<jangle.ProcessorStatus> segments, Instant now) {
        java.util.Map<String, List<String>> by = new java.util.TreeMap<>();
        for (jangle.ProcessorStatus st : segments) {
            String who = st.owner().isEmpty() || st.leaseUntil().isBefore(now) ? "~free" : st.owner().get();
            by.computeIfAbsent(who, k -> new ArrayList<>()).add(String.valueOf(st.segment()));
        }
        List<String> parts = new ArrayList<>();
        by.forEach((who, segs) -> parts.add((who.equals("~free") ? "free" : who) + ": " + String.join(",", segs)));
        return String.join("; ", parts);
    }

    /** A short age: {@code 42s}, {@code 3m 5s}, {@code 2h 10m}, {@code 4d 3h}. */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m " + s % 60 + "s";
        if (s < 86_400) return s / 3600 + "h " + s % 3600 / 60 + "m";
        return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
    }

    private static String gridRow(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < widths.length; c++) {
            if (c > 0) sb.append("  ");
            sb.append(c == widths.length - 1 ? cells.get(c) : left(cells.get(c), widths[c]));
        }
        return stripTrailing(sb.toString());
    }

    private static String row(String... cells) {
        return stripTrailing(String.join(" ", cells));
    }

    private static String indented(String... cells) {
        return stripTrailing("  " + String.join("  ", cells));
    }

    private static String label(String text, int width) {
        return left(text, width);
    }

    static String left(String text, int width) {
        return text + " ".repeat(Math.max(0, width - length(text)));
    }

    static String right(String text, int width) {
        return " ".repeat(Math.max(0, width - length(text))) + text;
    }

    static String centre(String text, int width) {
        int free = Math.max(0, width - length(text));
        int before = free / 2;
        return " ".repeat(before) + text + " ".repeat(free - before);
    }

    /** Width in terminal columns ({@link DisplayWidth}): a CJK letter or an emoji takes two. */
    private static int length(String text) {
        return DisplayWidth.of(text);
    }

    private static String stripTrailing(String s) {
        return s.stripTrailing();
    }
}
