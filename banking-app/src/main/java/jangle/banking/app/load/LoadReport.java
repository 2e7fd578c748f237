package jangle.banking.app.load;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one load run (issue 7). Latencies are in microseconds. {@code anchorOneThread} and
 * {@code anchorThreads} are the database's raw single-row insert+commit rates measured in the same run, on one thread
 * and on the run's thread count; throughput ratios are taken against the latter.
 */
public record LoadReport(String store, List<String> durability, LoadOptions options, double measuredSeconds,
                         long commands, long accepted, long rejected, long exhausted, long failed, long conflicts,
                         long events, Latency commandLatency, Latency readModelLatency, double anchorOneThread,
                         double anchorThreads, boolean settled, long pendingAfter,
                         List<ProcessorLag> processors, MoneyCheck money, String fault,
                         java.util.Optional<StoreWrites> writes) {

    /**
     * What the store wrote during the measured time, whoever wrote it (commands, processors, sagas, leases):
     * committed transactions, the writes they held (group commit shares one transaction among several), and on
     * PostgreSQL the write-ahead log's growth. Empty in memory or when a fault stopped the run.
     */
    public record StoreWrites(long commits, long writes, java.util.OptionalLong walBytes) {
    }

    /** A processor at the end of the run: its lowest checkpoint and its furthest-behind segment's lag (D17). */
    public record ProcessorLag(String processor, long position, long lagEvents, long lagMillis) {
    }

    /** Percentiles of a latency distribution, in microseconds; {@code count} 0 means nothing was measured. */
    public record Latency(long count, long p50, long p99, long p999, long max) {
    }

    /**
     * The money rule (banking.md W7) on the read models after the run settled; after a fault {@code error} says why
     * it could not be made (then the amounts are null).
     */
    public record MoneyCheck(BigDecimal balances, BigDecimal expected, boolean conserved, String error) {
    }

    public double commandsPerSecond() {
        return commands / measuredSeconds;
    }

    public double eventsPerSecond() {
        return events / measuredSeconds;
    }

    public double retriesPerCommand() {
        return commands == 0 ? 0 : (double) conflicts / commands;
    }

    /** Commands per second as a share of the raw insert+commit rate on the same thread count; NaN without anchor. */
    public double ratioToAnchor() {
        return anchorThreads > 0 ? commandsPerSecond() / anchorThreads : Double.NaN;
    }

    /** Every command answered: accepted, rejected, retries exhausted or failed with the database, none lost. */
    public boolean countsAddUp() {
        return accepted + rejected + exhausted + failed == commands;
    }

    /** The human-readable report the {@code load} subcommand prints. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        line(sb, "store", store + (durability.isEmpty() ? "" : " (" + String.join(", ", durability) + ")"));
        line(sb, "workload", options.threads() + " thread(s), " + options.accounts() + " accounts, mix "
                + options.mix() + ", " + (options.rate() > 0 ? "open loop at " + num(options.rate()) + " commands/s"
                + (options.mix().requests() > 0 ? " (a request's answer is sent at once, on top)" : "")
                : "closed loop") + ", " + secs(measuredSeconds) + " measured after " + secs(
                options.warmup().toMillis() / 1000.0) + " warm-up");
        if (anchorThreads > 0) {
            line(sb, "raw insert+commit", num(anchorOneThread) + "/s on 1 thread, " + num(anchorThreads) + "/s on "
                    + options.threads() + " (the anchor)");
        }
        line(sb, "commands", num(commandsPerSecond()) + "/s" + ratio(commandsPerSecond()) + "  (" + commands
                + " in " + secs(measuredSeconds) + ")");
        line(sb, "events", events < 0 ? "unknown (the database failed)"
                : num(eventsPerSecond()) + "/s" + ratio(eventsPerSecond()) + "  (" + events + ")");
        line(sb, "outcomes", accepted + " accepted, " + rejected + " rejected, " + exhausted
                + " retries exhausted" + (failed > 0 ? ", " + failed + " failed with the database (outcome unknown)" : "")
                + (countsAddUp() ? "" : "  MISMATCH: they do not add up to " + commands));
        line(sb, "retries/command", String.format(Locale.ROOT, "%.4f", retriesPerCommand()) + "  (" + conflicts
                + " version conflicts retried)");
        line(sb, "command latency", latency(commandLatency));
        line(sb, "to read model", latency(readModelLatency) + "  (commit to bank-views, sampled)");
        if (fault != null) line(sb, "stopped early", "the database failed: " + fault);
        line(sb, "processors' lag", processors.isEmpty() ? "unknown" : processors.stream()
                .map(p -> p.processor() + " " + p.lagEvents() + " events/" + String.format(Locale.ROOT, "%.1f s",
                        p.lagMillis() / 1000.0) + " (checkpoint " + p.position() + ")")
                .collect(java.util.stream.Collectors.joining(", ")));
        line(sb, "store commits/cmd", writes.isEmpty() || commands == 0 ? "not measured (in memory, or stopped by a fault)"
                : String.format(Locale.ROOT, "%.3f  (%d commits holding %.3f writes/cmd%s; during the measured time)",
                writes.get().commits() / (double) commands, writes.get().commits(),
                writes.get().writes() / (double) commands, writes.get().walBytes().isPresent()
                        ? String.format(Locale.ROOT, "; WAL %,d bytes/cmd",
                        writes.get().walBytes().getAsLong() / commands) : ""));
        String deliveries = settled ? "every event handled by every processor"
                : pendingAfter < 0 ? "processors' progress unknown"
                : pendingAfter + " events or parked deliveries still to handle";
        line(sb, "after the run", deliveries + "; " + (money.error() != null
                ? "money check not possible: " + money.error()
                : "money " + (money.conserved() ? "conserved" : settled ? "NOT CONSERVED"
                : "not conclusive while the processors are behind") + " (balances " + money.balances()
                + ", deposits − withdrawals + forgiven " + money.expected() + ")"));
        return sb.toString();
    }

    private String ratio(double perSecond) {
        return anchorThreads > 0 ? String.format(Locale.ROOT, " = %.2f × anchor", perSecond / anchorThreads) : "";
    }

    private static String latency(Latency l) {
        if (l.count() == 0) return "none measured";
        return "p50 " + ms(l.p50()) + "  p99 " + ms(l.p99()) + "  p999 " + ms(l.p999()) + "  max " + ms(l.max())
                + "  (" + l.count() + " samples)";
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "  %-18s %s%n", label, value));
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

    private static String secs(double seconds) {
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
