package jangle.banking.app.load;

import jangle.CheckpointListener;
import jangle.Command;
import jangle.CommandCounts;
import jangle.CommandResponse;
import jangle.ConsistencyToken;
import jangle.Jangle;
import jangle.RetriesExhaustedException;
import jangle.banking.AcceptRequest;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.ProcessorReport;
import jangle.banking.app.views.BankViews;
import jangle.banking.app.views.MoneyTotals;
import jangle.jdbc.SqlDialect;
import jangle.spi.DeliveryStatus;
import jangle.spi.Checkpoint;
import jangle.spi.EventStore;
import jangle.spi.FeedFilter;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a banking workload against a started {@link BankingApplication} — dispatch, read models, transfer mediation
 * and the Request saga all running — and measures it (issue 7). Not a test: it prints figures, and the figures are
 * quoted as ratios to the database's raw insert+commit rate, measured by {@link RawInsertAnchor} in the same run.
 *
 * <p>Phases: the anchor (the database alone), account set-up, warm-up (JIT, caches; not measured), the measured
 * phase, then settling (every delivery handled, sagas finished) and the money check of banking.md W7 on the read
 * models. Command-to-read-model latency is sampled by one thread that compares every eighth command's position with the
 * {@code bank-views} checkpoints this process has committed ({@link ViewsProgress}): a sampled command is in the read
 * model once the checkpoint of its segment has passed it, so the figure includes dispatch queueing and the read
 * model's commit, not just the upsert.
 *
 * <p>A fault of the database (an exception other than a business rejection or exhausted retries, on any thread of the
 * run) stops the run at once: every thread ends, the report covers what was measured up to the fault, the money check
 * is tried once, and {@link LoadReport#fault()} carries the error in one line (issue 18.1). A command that failed so
 * has an unknown outcome and is counted as failed.
 */
public final class LoadDriver {
    private static final BigDecimal OPENING_BALANCE = new BigDecimal("1000.00");
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);
    private static final int SAMPLE_EVERY = 8;

    private final BankingApplication app;
    private final ViewsProgress viewsProgress;
    private final Jangle jangle;
    private final LoadOptions options;
    private final PrintStream progress;
    private volatile int phase; // 0 warm-up, 1 measured, 2 stop
    private final LongAdder measuredCommands = new LongAdder();
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicReference<RuntimeException> fault = new AtomicReference<>();

    /**
     * A driver for {@code app}, which must have been opened with {@code viewsProgress} as its checkpoint listener:
     * the read-model latency is measured from what it hears.
     */
    public LoadDriver(BankingApplication app, ViewsProgress viewsProgress, LoadOptions options, PrintStream progress) {
        this.app = app;
        this.viewsProgress = java.util.Objects.requireNonNull(viewsProgress, "viewsProgress");
        this.jangle = app.jangle();
        this.options = options;
        this.progress = progress;
    }

    /** Runs every phase and returns the figures. The application must be started (dispatch on). */
    public LoadReport run(String storeDescription) throws InterruptedException {
        double anchorOne = 0, anchorN = 0;
        if (options.anchorDuration().toMillis() > 0) {
            progress.println("Measuring the database's raw insert+commit rate...");
            RawInsertAnchor anchor = new RawInsertAnchor(app.database());
            anchorOne = anchor.measure(1, options.anchorDuration());
            anchorN = options.threads() == 1 ? anchorOne : anchor.measure(options.threads(), options.anchorDuration());
        }
        progress.println("Opening " + options.accounts() + " accounts...");
        List<String> accounts = openAccounts();

        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        Sampler sampler = new Sampler(jangle.stores().events());
        Thread samplerThread = null;
        CommandCounts before = null, after = null;
        long positionBefore = -1, start = System.nanoTime(), end = start;
        StoreWritesProbe writesProbe = StoreWritesProbe.of(app);
        StoreWritesProbe.Mark writesBefore = null, writesAfter = null;
        try {
            for (int i = 0; i < options.threads(); i++) {
                Worker w = new Worker(i, accounts);
                workers.add(w);
                threads.add(Thread.ofPlatform().name("load-" + i).start(w));
            }
            samplerThread = Thread.ofPlatform().name("load-sampler").daemon().start(sampler);

            progress.println("Warming up for " + options.warmup().toSeconds() + " s...");
            long warm = System.nanoTime() + options.warmup().toNanos();
            while (fault.get() == null && System.nanoTime() < warm) Thread.sleep(5);
            before = jangle.operations().commandCounts();
            positionBefore = jangle.stores().events().lastPosition();
            writesBefore = writesProbe.mark();
            start = System.nanoTime();
            phase = 1;
            progress.println("Measuring...");
            long deadline = start + options.duration().toNanos();
            long nextProgress = start + TimeUnit.SECONDS.toNanos(5);
            while (fault.get() == null && System.nanoTime() < deadline
                    && (options.commands() == 0 || measuredCommands.sum() < options.commands())) {
                Thread.sleep(5);
                if (System.nanoTime() >= nextProgress) {
                    nextProgress += TimeUnit.SECONDS.toNanos(5);
                    progress.println("  " + measuredCommands.sum() + " commands so far");
                }
            }
        } catch (RuntimeException e) {
            stop(e); // the main thread's own reads of the store failed
        } finally {
            phase = 2;
            end = System.nanoTime();
            for (Thread t : threads) t.join();
        }
        if (fault.get() == null && writesBefore != null) writesAfter = writesProbe.mark();
        after = jangle.operations().commandCounts();
        RuntimeException failure = fault.get();
        long positionAfter = -1;
        RuntimeException unreachable = null; // after a fault: the database is still down, so nothing more is asked
        if (failure == null) {
            positionAfter = jangle.stores().events().lastPosition();
        } else {
            // a connection broken by the fault fails once and is replaced: ask again, briefly, before giving up
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int tries = 1; ; tries++) {
                try {
                    positionAfter = jangle.stores().events().lastPosition();
                    unreachable = null;
                    break;
                } catch (RuntimeException e) {
                    unreachable = e;
                    if (tries >= 3 || System.nanoTime() > giveUp) break;
                    Thread.sleep(500);
                }
            }
        }

        long pending;
        if (failure == null) {
            progress.println("Settling: waiting for dispatch, mediation and sagas...");
            pending = settle(Duration.ofSeconds(120));
        } else if (unreachable != null) {
            pending = -1;
        } else {
            // the database may be back (a restart): give dispatch and sagas a short while, for the money check
            pending = attempt(() -> {
                try {
                    // the deliveries parked at the fault, without their back-off; the processors resume by themselves
                    jangle.operations().runCatchUpPass();
                    return settle(Duration.ofSeconds(15));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1L;
                }
            }, -1L);
        }
        List<LoadReport.ProcessorLag> processorLag = unreachable != null ? List.of()
                : attempt(this::processorLag, List.of());
        sampler.finish();
        if (samplerThread != null) samplerThread.join(TimeUnit.SECONDS.toMillis(5));

        Histogram commandLatency = new Histogram(HIGHEST_MICROS, 3);
        long commands = 0, accepted = 0, rejected = 0, exhausted = 0, failed = 0;
        for (Worker w : workers) {
            commandLatency.add(w.latency);
            commands += w.commands;
            accepted += w.accepted;
            rejected += w.rejected;
            exhausted += w.exhausted;
            failed += w.failed;
        }
        LoadReport.MoneyCheck money;
        if (unreachable != null) {
            money = new LoadReport.MoneyCheck(null, null, false, "the database is still unreachable: "
                    + oneLine(unreachable));
        } else {
            try {
                MoneyTotals totals = app.queries().moneyTotals();
                money = new LoadReport.MoneyCheck(totals.balances(), totals.expectedBalances(), totals.conserved(),
                        null);
            } catch (RuntimeException e) {
                if (failure == null) throw e;
                money = new LoadReport.MoneyCheck(null, null, false, oneLine(e));
            }
        }
        long conflicts = before == null ? 0 : after.conflicts() - before.conflicts();
        long events = positionBefore < 0 || positionAfter < 0 ? -1 : positionAfter - positionBefore;
        List<String> durability = failure == null ? durability()
                : unreachable != null ? List.of() : attempt(this::durability, List.of());
        return new LoadReport(storeDescription, durability, options, Math.max(1, end - start) / 1e9, commands,
                accepted, rejected, exhausted, failed, conflicts, events, latency(commandLatency),
                latency(sampler.latency), anchorOne, anchorN, pending == 0, pending, processorLag, money,
                failure == null ? null : oneLine(failure), writesBefore == null || writesAfter == null
                        ? java.util.Optional.empty() : java.util.Optional.of(writesAfter.since(writesBefore)));
    }

    /** The first fault stops the run: every thread leaves its loop. Later faults are its consequences. */
    private void stop(RuntimeException e) {
        if (fault.compareAndSet(null, e)) {
            progress.println("Stopped: " + oneLine(e));
        }
        phase = 2;
    }

    /** A read after the fault: its value, or {@code fallback} when the store still fails. */
    private static <T> T attempt(java.util.function.Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** An exception and its causes on one line, as the user sees it. */
    static String oneLine(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            m = m.replaceAll("\\s*\\R\\s*", " ").strip();
            if (!sb.toString().contains(m)) sb.append(sb.isEmpty() ? "" : ": ").append(m);
        }
        return sb.toString();
    }

    private List<String> openAccounts() {
        List<String> ids = new ArrayList<>(options.accounts());
        for (int i = 0; i < options.accounts(); i++) {
            CommandResponse r = jangle.send(new CreateAccount(String.format("Load %06d", i), OPENING_BALANCE, null));
            switch (r) {
                case CommandResponse.Accepted accepted -> ids.add(accepted.data(String.class));
                case CommandResponse.Rejected rejected ->
                        throw new IllegalStateException("could not open a load account: " + rejected.reason());
            }
        }
        return List.copyOf(ids);
    }

    /**
     * Waits until every processor segment has reached the head of the feed (its lag is 0: D17), nothing is parked
     * awaiting a retry and no saga is due; returns, at the deadline, the furthest-behind segment's lag plus the parked
     * deliveries (0 when settled). The head moves while sagas finish, so each check reads it again.
     */
    private long settle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.hasPendingDeliveries() && app.dueSagas() == 0) return 0;
            Thread.sleep(20);
        }
        return app.unhandledEvents() + app.pendingDeliveries();
    }

    /** Each processor's lowest checkpoint and its furthest-behind segment's lag, read once at the end of the run. */
    private List<LoadReport.ProcessorLag> processorLag() {
        List<LoadReport.ProcessorLag> out = new ArrayList<>();
        for (ProcessorReport.Row r : ProcessorReport.read(jangle.operations())) {
            out.add(new LoadReport.ProcessorLag(r.processor(), r.position(), r.lagEvents(), r.lagTime().toMillis()));
        }
        return out;
    }

    /** A sampled command: its aggregate (whose segment it waits for), its position and when it was sent. */
    private record Sample(String aggregateId, long position, long startNanos) {
    }

    /** The settings that decide what an acknowledged command survives, as the database reports them. */
    private List<String> durability() {
        if (app.config().memory()) return List.of("in memory: nothing survives the process");
        if (app.dialect() == SqlDialect.SQLITE) {
            return app.database().read(c -> {
                List<String> s = new ArrayList<>();
                try (var st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                        if (rs.next()) s.add("journal_mode=" + rs.getString(1));
                    }
                    try (ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
                        if (rs.next()) s.add("synchronous=" + switch (rs.getInt(1)) {
                            case 0 -> "OFF";
                            case 1 -> "NORMAL";
                            case 2 -> "FULL";
                            default -> "EXTRA";
                        });
                    }
                }
                return s;
            });
        }
        return app.database().read(c -> {
            List<String> s = new ArrayList<>();
            try (var st = c.createStatement()) {
                for (String setting : List.of("fsync", "synchronous_commit")) {
                    try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                        if (rs.next()) s.add(setting + "=" + rs.getString(1));
                    }
                }
            }
            return s;
        });
    }

    private static LoadReport.Latency latency(Histogram h) {
        if (h.getTotalCount() == 0) return new LoadReport.Latency(0, 0, 0, 0, 0);
        return new LoadReport.Latency(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /** One sending thread with its own random source, histogram and counters (no sharing on the hot path). */
    private final class Worker implements Runnable {
        final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        final SplittableRandom random;
        final List<String> accounts;
        long commands, accepted, rejected, exhausted, failed;
        int sinceSample;

        Worker(int index, List<String> accounts) {
            this.random = new SplittableRandom(options.seed() * 31 + index);
            this.accounts = accounts;
        }

        @Override
        public void run() {
            try {
                loop();
            } catch (RuntimeException e) {
                stop(e);
            }
        }

        private void loop() {
            long interval = options.rate() > 0 ? (long) (1e9 * options.threads() / options.rate()) : 0;
            long due = System.nanoTime();
            while (phase != 2) {
                long start;
                if (interval > 0) {
                    due += interval;
                    for (long wait; (wait = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait); // may wake early
                    start = due; // latency from when the command was due: a stall is not hidden
                } else {
                    start = System.nanoTime();
                }
                Command command = next();
                CommandResponse r = send(command, start);
                if (r != null && r.isAccepted() && command instanceof Request q) {
                    // the funding account answers at once: 7 in 10 accept (the saga debits, then credits)
                    Command answer = random.nextInt(10) < 7
                            ? new AcceptRequest(q.fundingAccountId(), q.transactionId())
                            : new RejectRequest(q.fundingAccountId(), q.transactionId());
                    send(answer, System.nanoTime());
                }
            }
        }

        private CommandResponse send(Command command, long start) {
            CommandResponse r = null;
            boolean measured = phase == 1;
            RuntimeException failure = null;
            try {
                r = jangle.send(command);
            } catch (RetriesExhaustedException e) {
                if (measured) exhausted++;
            } catch (RuntimeException e) {
                failure = e; // the database failed: the outcome of this command is unknown
                stop(e);
                if (measured) failed++;
            }
            long end = System.nanoTime();
            if (!measured) return r;
            commands++;
            measuredCommands.increment();
            latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, (end - start) / 1000)));
            if (r == null || failure != null) return null;
            if (r.isAccepted()) {
                accepted++;
                ConsistencyToken token = r.token();
                if (token != null && ++sinceSample >= SAMPLE_EVERY) {
                    sinceSample = 0;
                    samples.add(new Sample(token.aggregateId(), token.position(), start));
                }
            } else {
                rejected++;
            }
            return r;
        }

        private Command next() {
            LoadOptions.Mix mix = options.mix();
            int dice = random.nextInt(mix.total());
            String a = account();
            BigDecimal amount = BigDecimal.valueOf(100 + random.nextInt(9_900), 2); // 1.00 .. 99.99
            if ((dice -= mix.deposits()) < 0) return new DepositFunds(a, amount, null);
            if ((dice -= mix.withdrawals()) < 0) return new WithdrawFunds(a, amount, null);
            if ((dice -= mix.transfers()) < 0) return new Transfer(a, other(a), amount, null);
            return new Request(a, other(a), amount, null);
        }

        private String account() {
            return accounts.get(random.nextInt(accounts.size()));
        }

        private String other(String not) {
            String o = account();
            while (o.equals(not)) o = account();
            return o;
        }
    }

    /**
     * What this process has committed for {@code bank-views}, heard through the application's
     * {@link CheckpointListener} ({@link BankingApplication#open(jangle.banking.app.BankingConfig,
     * java.util.function.UnaryOperator)}): the highest committed checkpoint per segment, and whether any event was
     * parked for it. Give the same instance to the application's builder and to the driver.
     */
    public static final class ViewsProgress implements CheckpointListener {
        private final ConcurrentHashMap<Integer, Long> reached = new ConcurrentHashMap<>();
        private volatile boolean parked;

        @Override
        public void advanced(String processor, int segment, long position) {
            if (BankViews.NAME.equals(processor)) reached.merge(segment, position, Math::max);
        }

        @Override
        public void parked(String processor, long position) {
            if (BankViews.NAME.equals(processor)) parked = true;
        }

        long reached(int segment) {
            return reached.getOrDefault(segment, 0L);
        }
    }

    /**
     * Measures command-to-read-model latency: takes the sampled commands and, every 2 ms, checks them against what
     * this process has committed for {@code bank-views} ({@link ViewsProgress}); a sample has arrived once the
     * checkpoint of its aggregate's segment (D17) has reached its position and no parked delivery of
     * {@code bank-views} lies at or below it. The store is read once for the segment count and, only after a park was
     * heard, for the lowest parked position: polling the checkpoint table itself was about a tenth of the round trips
     * of the pipeline it measured.
     */
    private final class Sampler implements Runnable {
        final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        private final EventStore store;
        private final List<Sample> waiting = new ArrayList<>();
        private volatile boolean finished;
        private int segments;

        Sampler(EventStore store) {
            this.store = store;
        }

        void finish() {
            finished = true;
        }

        @Override
        public void run() {
            try {
                sample();
            } catch (RuntimeException e) {
                stop(e); // the store cannot be read: the database failed
            }
        }

        private void sample() {
            while (!finished || !samples.isEmpty() || !waiting.isEmpty()) {
                if (fault.get() != null) return;
                for (Sample s; (s = samples.poll()) != null; ) waiting.add(s);
                if (!waiting.isEmpty() && segmentCount() > 0) {
                    OptionalLong parked = viewsProgress.parked
                            ? store.ledger().lowestPosition(BankViews.NAME, DeliveryStatus.PENDING)
                            : OptionalLong.empty();
                    long now = System.nanoTime();
                    for (var it = waiting.iterator(); it.hasNext(); ) {
                        Sample s = it.next();
                        long at = viewsProgress.reached(FeedFilter.segmentOf(s.aggregateId(), segments));
                        if (at >= s.position() && (parked.isEmpty() || s.position() < parked.getAsLong())) {
                            it.remove();
                            latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, (now - s.startNanos()) / 1000)));
                        }
                    }
                }
                if (finished && samples.isEmpty()) {
                    if (waiting.isEmpty()) return;
                    if (System.nanoTime() > finishedGiveUp()) return; // not settled: what arrived is reported
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        }

        /** {@code bank-views}' segment count, read from the store until its checkpoints are registered (D17). */
        private int segmentCount() {
            if (segments == 0) {
                for (Checkpoint c : store.checkpoints().all()) {
                    if (c.processor().equals(BankViews.NAME)) segments = c.segments();
                }
            }
            return segments;
        }

        private long giveUpAt;

        private long finishedGiveUp() {
            if (giveUpAt == 0) giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            return giveUpAt;
        }
    }
}
