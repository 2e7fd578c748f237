package jangle.banking.app;

import jangle.EventRecord;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.ProcessorStatus;
import jangle.Query;
import jangle.ReplayListener;
import jangle.ReplayResult;
import jangle.Settings;
import jangle.banking.BankQuery;
import jangle.banking.BankingDomain;
import jangle.banking.app.views.BankQueries;
import jangle.banking.app.views.RebuildGuard;
import jangle.banking.app.views.BankViews;
import jangle.banking.app.views.ViewRebuild;
import jangle.banking.app.views.ViewTables;
import jangle.jdbc.DbTimeouts;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;
import jangle.spi.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Jangle Banking assembled: the domain of {@code banking-domain}, the {@code bank-views} projection and the query
 * handlers over one database, built through {@link Jangle#builder()} (CR1). It is the public entry point used by the
 * terminal, the demo and the tests.
 *
 * <p>On SQLite (the default, {@value BankingConfig#DEFAULT_DB_PATH}) everything lives in one file (T8): events,
 * snapshots, sagas, the processors' checkpoints, the parked deliveries and the read models. With a PostgreSQL URL the same tables live in that
 * database (T11). In memory, the stores are in-memory and the read models sit in a private in-memory SQLite
 * database; nothing survives {@link #close()}.
 *
 * <p>{@link #open} does not start dispatch: commands and queries work at once, the processors stay at their checkpoints
 * (CR4) until {@link #start()}, which also resumes work left by an earlier run (D10, D17, SG9).
 */
public final class BankingApplication implements AutoCloseable {
    /** The bank's processor linger on PostgreSQL unless {@code JANGLE_PROCESSOR_BATCH_LINGER} says otherwise (D22). */
    static final Duration POSTGRES_LINGER = Duration.ofMillis(5);
    private static final String LINGER_VARIABLE = Settings.ENVIRONMENT_VARIABLES.get("processorBatchLinger");

    private static final Logger LOG = LoggerFactory.getLogger("jangle.banking.app");
    private static final Duration VERIFY_CATCH_UP = Duration.ofSeconds(30);
    /** A private in-memory SQLite database, gone when closed. */
    private static final String MEMORY_URL = "jdbc:sqlite::memory:";

    private final BankingConfig config;
    private final JdbcDatabase db;
    private final Jangle jangle;
    private final BankViews views;
    private final BankQueries queries;
    private final BankObservability observability;
    private volatile boolean started;
    private volatile boolean closed;

    private BankingApplication(BankingConfig config, JdbcDatabase db, Jangle jangle, BankViews views,
                               BankQueries queries, BankObservability observability) {
        this.observability = observability;
        observability.attach(jangle);
        this.config = config;
        this.db = db;
        this.jangle = jangle;
        this.views = views;
        this.queries = queries;
    }

    /**
     * Opens the database named by {@code config} (creating the file, the store schema and the read-model tables when
     * missing) and builds the application. Does not start dispatch.
     *
     * @throws jangle.StoreException         when the database cannot be opened
     * @throws jangle.ConfigurationException when a {@code JANGLE_*} setting is invalid (K2)
     */
    public static BankingApplication open(BankingConfig config) {
        return open(config, b -> b);
    }

    /**
     * {@link #open(BankingConfig)} with a last say over the builder before {@code build()}; the split deployment
     * uses it to declare {@code externallyDelivered()} (handlers fed from Kafka, see {@code split.SplitNode}).
     */
    public static BankingApplication open(BankingConfig config,
                                          java.util.function.UnaryOperator<JangleBuilder> customize) {
        JdbcDatabase db;
        if (config.memory()) {
            db = JdbcDatabase.open(MEMORY_URL, null, null);
        } else if (config.usesUrl()) {
            db = JdbcDatabase.open(config.dbUrl(), config.dbUser(), config.dbPassword(),
                    DbTimeouts.fromEnvironment(config.environment()));
        } else {
            db = JdbcDatabase.sqlite(config.effectiveDbPath());
        }
        BankObservability observability = null;
        try {
            observability = BankObservability.fromEnvironment(config.environment());
            BankViews views = new BankViews(db);
            views.createSchema();
            BankQueries queries = new BankQueries(db, config.clock());
            JangleBuilder builder = Jangle.builder().clock(config.clock()).environment(config.environment())
                    .telemetry(observability.telemetry());
            if (!config.memory()) builder.stores(db.stores());
            if (db.dialect() == SqlDialect.POSTGRESQL && !config.environment().containsKey(LINGER_VARIABLE)) {
                // there a processor's commit is a round trip and a flush: batches a few milliseconds wide need far
                // fewer of them under load (D22; docs/benchmarks.md), and the variable still decides when set
                builder.processorBatchLinger(POSTGRES_LINGER);
            }
            BankingDomain.register(builder);
            builder.queries(queryFamily());
            builder.projection(views);
            queries.register(builder);
            Jangle jangle = customize.apply(builder).build();
            LOG.atInfo().addKeyValue("point", "bank.opened").addKeyValue("store", config.describeStore())
                    .log("Jangle Banking opened");
            return new BankingApplication(config, db, jangle, views, queries, observability);
        } catch (RuntimeException e) {
            if (observability != null) observability.close();
            closeQuietly(db);
            throw e;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<? extends Query<?>> queryFamily() {
        return (Class) BankQuery.class;
    }

    public Jangle jangle() {
        return jangle;
    }

    /**
     * Meters ({@link BankObservability#scrape()}: Prometheus text for {@code /metrics}), traces (OTLP when
     * {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set) and {@link BankObservability#health()} for {@code /health}.
     */
    public BankObservability observability() {
        return observability;
    }

    public BankingConfig config() {
        return config;
    }

    /** The {@code bank-views} projection. */
    public BankViews views() {
        return views;
    }

    /** The query handlers, also callable directly (the registered queries go through them). */
    public BankQueries queries() {
        return queries;
    }

    /** The database holding the read models (and, unless in memory, the stores). */
    public JdbcDatabase database() {
        return db;
    }

    public SqlDialect dialect() {
        return db.dialect();
    }

    /** Starts dispatch and both daemons, running their catch-up passes (CR4, D10, SG9). Idempotent. */
    public void start() {
        jangle.start();
        started = true;
    }

    /**
     * Rebuilds the read models from the global feed without taking them away from their readers (R6): a new
     * generation of the tables is filled from position 0 beside the live one, then switched in atomically; reactors
     * and sagas are not run (R1). Progress goes to {@code listener} (may be null); printing it is the caller's job
     * (L2). An unreadable event (J7) fails the rebuild and leaves the live read models as they were.
     */
    public ReplayResult replay(ReplayListener listener) {
        return rebuild(listener).asReplayResult();
    }

    /**
     * {@link #replay} with the swap's position and duration; a {@link ViewRebuild.Listener} also hears the swap. Holds
     * the database's {@link RebuildGuard} throughout: while another rebuild of the same database runs, this one
     * throws {@link RebuildGuard.RebuildRunningException} and changes nothing (R8).
     */
    public ViewRebuild.Result rebuild(ReplayListener listener) {
        try (RebuildGuard guard = rebuildGuard()) {
            return new ViewRebuild(db, jangle.stores().events(), jangle.settings().replayBatchSize()).run(listener);
        }
    }

    private RebuildGuard rebuildGuard() {
        if (config.memory()) return RebuildGuard.none(); // a private database: no other process shares it
        if (db.dialect() == SqlDialect.POSTGRESQL) {
            return RebuildGuard.postgres(config.dbUrl(), config.dbUser(), config.dbPassword(), config.describeStore());
        }
        if (!config.usesUrl()) return RebuildGuard.sqlite(config.effectiveDbPath());
        String file = config.dbUrl().substring(config.dbUrl().indexOf(':', "jdbc:".length()) + 1).split("\\?")[0];
        return file.isEmpty() || file.contains(":memory:") ? RebuildGuard.none() : RebuildGuard.sqlite(Path.of(file));
    }

    /**
     * Rebuilds the read models into a scratch copy (a private in-memory SQLite database, or a temporary schema of the same
     * PostgreSQL database) and compares it with the live tables row by row (cli.md §5.2). With a seed, the history
     * is delivered three times, shuffled with that seed (the triple-shuffle check, W5, R5). The live tables are
     * never written. When dispatch runs, it first waits (up to 30 s) for every processor to reach the head of the
     * feed while the head stands still; without dispatch, events not yet handled show up as differences.
     *
     * @return the differing rows; empty when the live read models equal the rebuilt ones
     */
    public List<RowDifference> verifyReplay(Long shuffleSeed) {
        EventStore store = jangle.stores().events();
        if (started && store.lastPosition() > 0 && !viewsStuck()) {
            // every processor at the head, and the head still: a reactor or saga may append while the views catch
            // up (a mediator's credit), and the comparison must include what the live views will have (D17)
            long deadline = System.nanoTime() + VERIFY_CATCH_UP.toNanos();
            while (true) {
                long head = store.lastPosition();
                if (unhandledEvents() == 0 && store.lastPosition() == head) break;
                if (System.nanoTime() > deadline) {
                    LOG.atWarn().addKeyValue("point", "bank.verify-behind")
                            .log("the processors are behind position {} after {}", head, VERIFY_CATCH_UP);
                    break;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the processors to catch up", e);
                }
            }
        }
        long last = store.lastPosition();
        try (Scratch scratch = Scratch.open(this)) {
            BankViews rebuilt = new BankViews(scratch.db());
            rebuilt.createSchema();
            int batch = jangle.settings().batchSize();
            if (shuffleSeed == null) {
                long after = 0;
                while (after < last) {
                    List<EventRecord<?>> page = store.readFeed(after, batch);
                    if (page.isEmpty()) break;
                    List<EventRecord<?>> upTo = page.stream().filter(r -> r.position() <= last).toList();
                    rebuilt.handleBatch(BankViews.bankEvents(upTo));
                    after = page.getLast().position();
                }
            } else {
                List<EventRecord<?>> history = readHistory(store, last, batch);
                List<EventRecord<?>> tripled = new ArrayList<>(history.size() * 3);
                for (int i = 0; i < 3; i++) tripled.addAll(history);
                Collections.shuffle(tripled, new Random(shuffleSeed));
                for (int i = 0; i < tripled.size(); i += batch) {
                    rebuilt.handleBatch(BankViews.bankEvents(tripled.subList(i, Math.min(tripled.size(), i + batch))));
                }
            }
            return ReplayComparison.compare(ViewTables.dump(db), ViewTables.dump(scratch.db()));
        }
    }

    private static List<EventRecord<?>> readHistory(EventStore store, long last, int batch) {
        List<EventRecord<?>> all = new ArrayList<>();
        readHistory(store, last, batch, all::add);
        return all;
    }

    private static void readHistory(EventStore store, long last, int batch,
                                    java.util.function.Consumer<EventRecord<?>> sink) {
        long after = 0;
        while (after < last) {
            List<EventRecord<?>> page = store.readFeed(after, batch);
            if (page.isEmpty()) break;
            for (EventRecord<?> r : page) if (r.position() <= last) sink.accept(r);
            after = page.getLast().position();
        }
    }

    /** True when bank-views has a parked delivery that failed already: waiting for it to catch up is pointless. */
    private boolean viewsStuck() {
        List<jangle.spi.Delivery> oldest = jangle.operations().pending(BankViews.NAME, 1);
        if (oldest.isEmpty() || oldest.getFirst().lastError() == null) return false;
        LOG.atWarn().addKeyValue("point", "bank.verify-behind").log("bank-views is behind: its delivery at position {} "
                + "failed ({})", oldest.getFirst().position(), oldest.getFirst().lastError());
        return true;
    }

    /**
     * Parked deliveries awaiting a retry (a handler failed on them in line and the event daemon retries them, D3), for
     * "Resuming: n pending deliveries, m sagas due.". Events the processors have not reached yet are not counted here:
     * see {@link #unhandledEvents()}.
     */
    public long pendingDeliveries() {
        return jangle.operations().pending(null, Integer.MAX_VALUE).size();
    }

    /**
     * How far behind the furthest-behind processor segment is, in feed positions (the head of the feed minus its
     * checkpoint: an upper bound of the events it has left, D17). Zero when every segment has reached the head; a
     * segment with nothing of its own catches up within about a second of the head moving.
     */
    public long unhandledEvents() {
        Set<String> mine = Set.copyOf(jangle.operations().handlers());
        long max = 0;
        for (ProcessorStatus s : jangle.operations().processors()) {
            // a processor of another program on the same store (or one removed since) is not this one's work
            if (mine.contains(s.processor())) max = Math.max(max, s.lagEvents());
        }
        return max;
    }

    /**
     * True while any processor segment is behind the head of the feed or any delivery is parked awaiting a retry: the
     * polling loops' "is there work left" (dead letters do not count: they wait for an operator).
     */
    public boolean hasPendingDeliveries() {
        return unhandledEvents() > 0 || !jangle.operations().pending(null, 1).isEmpty();
    }

    /**
     * Waits until every segment of this application's processors (or of the named ones) has reached {@code position} and no
     * delivery at or below it is parked awaiting a retry; dead letters end the wait early (they wait for an operator).
     * Polls {@link jangle.Operations#processors()} every 20 ms. Returns true when caught up within {@code max}.
     */
    public boolean awaitProcessors(long position, Duration max, String... names) throws InterruptedException {
        Set<String> only = names.length == 0 ? Set.copyOf(jangle.operations().handlers()) : Set.of(names);
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            boolean behind = false;
            for (ProcessorStatus s : jangle.operations().processors()) {
                if (only.contains(s.processor()) && s.position() < position) behind = true;
            }
            if (!behind) {
                boolean parked = jangle.operations().pending(null, Integer.MAX_VALUE).stream()
                        .anyMatch(d -> only.contains(d.handler()) && d.position() <= position);
                if (!parked) return true;
            }
            if (System.nanoTime() >= deadline) return false;
            Thread.sleep(20);
        }
    }

    /** Sagas whose retry or timeout is due now. */
    public long dueSagas() {
        return jangle.stores().sagas().dueIds(config.clock().instant(), Integer.MAX_VALUE).size();
    }

    /** True when the event store holds at least one event (the {@code demo --db} emptiness check). */
    public boolean storeHasEvents() {
        return jangle.stores().events().lastPosition() > 0;
    }

    /** Stops dispatch gracefully (unfinished work stays pending), then closes the database. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            jangle.close();
        } finally {
            observability.close();
            closeQuietly(db);
        }
    }

    static void closeQuietly(JdbcDatabase db) {
        try {
            db.close();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("point", "bank.close-failed").setCause(e).log("closing the database failed");
        }
    }

    /** A throw-away database of the live one's dialect for {@link #verifyReplay}. */
    private record Scratch(JdbcDatabase db, Runnable cleanup) implements AutoCloseable {
        static Scratch open(BankingApplication app) {
            if (app.db.dialect() == SqlDialect.POSTGRESQL) {
                String schema = "jangle_verify_" + UUID.randomUUID().toString().replace("-", "");
                app.db.inTransaction(c -> {
                    try (var s = c.createStatement()) {
                        s.execute("CREATE SCHEMA " + schema); // generated identifier, no data in the SQL text
                    }
                    return null;
                });
                String url = app.config.dbUrl();
                String scoped = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
                JdbcDatabase scratch = JdbcDatabase.open(scoped, app.config.dbUser(), app.config.dbPassword(),
                        DbTimeouts.fromEnvironment(app.config.environment()));
                return new Scratch(scratch, () -> app.db.inTransaction(c -> {
                    try (var s = c.createStatement()) {
                        s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                    }
                    return null;
                }));
            }
            return new Scratch(JdbcDatabase.open(MEMORY_URL, null, null), () -> { });
        }

        @Override
        public void close() {
            try {
                closeQuietly(db);
            } finally {
                cleanup.run();
            }
        }
    }
}
