package jangle.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code jangle.*} properties. Every tuning value left unset keeps Jangle's default (or its {@code JANGLE_*}
 * environment variable); every value set is checked by {@code JangleBuilder.build()}, which names the bad ones (K2).
 *
 * @param store                     Where the events live: {@code auto} (a SQLite file when {@code jangle.sqlite.path}
 *                                  is set, else the application's PostgreSQL DataSource), {@code postgresql},
 *                                  {@code sqlite} or {@code memory} (nothing survives a restart: tests and demos).
 * @param sqlite                    The SQLite store.
 * @param autoStartup               Whether dispatch, the event daemon and the saga daemon start with the context;
 *                                  commands and queries work either way.
 * @param health                    The Actuator health indicator.
 * @param batchSize                 Parked deliveries read per event daemon batch.
 * @param processorSegments         Segments of a new processor's feed; a node runs one thread per segment it holds.
 * @param processorBatchSize        Events per processor transaction.
 * @param processorBatchLinger      How long a live segment waits for more events to fill a small batch (D22).
 * @param handlerAttempts           In-line attempts of a failing handler before its event is parked.
 * @param replayBatchSize           Events per projection transaction in a replay.
 * @param aggregateCacheSize        Aggregates kept in memory between commands.
 * @param commandMaxAttempts        Attempts of a command that meets a version conflict.
 * @param deadLetterAttempts        Failed attempts of one event by one handler before it is a dead letter.
 * @param failedEventsRetryInterval How often the event daemon retries parked deliveries.
 * @param failedEventsMaxAge        How long after its last attempt a parked delivery is retried.
 * @param sagaRetryInterval         How often the saga daemon retries unfinished saga steps.
 * @param nodeId                    This process's name among several on one database.
 * @param commandSharing            Whether commands waiting for a busy aggregate may share its holder's append (H10).
 * @param commandSharingLinger      How long the holder of a recently contended aggregate waits for a follower (H10).
 * @param commandSharingWindow      How recent that contention must be for the holder to wait (H10).
 */
@ConfigurationProperties("jangle")
public record JangleProperties(
        @DefaultValue("auto") Store store,
        @DefaultValue Sqlite sqlite,
        @DefaultValue("true") boolean autoStartup,
        @DefaultValue Health health,
        Integer batchSize,
        Integer processorSegments,
        Integer processorBatchSize,
        Duration processorBatchLinger,
        Integer handlerAttempts,
        Integer replayBatchSize,
        Integer aggregateCacheSize,
        Integer commandMaxAttempts,
        Integer deadLetterAttempts,
        Duration failedEventsRetryInterval,
        Duration failedEventsMaxAge,
        Duration sagaRetryInterval,
        String nodeId,
        Boolean commandSharing,
        Duration commandSharingLinger,
        Duration commandSharingWindow) {

    /** Where the events, dispatch ledger, snapshots and sagas are stored. */
    public enum Store {
        /** A SQLite file when {@code jangle.sqlite.path} is set, else the PostgreSQL DataSource of the context. */
        AUTO,
        /** The application's DataSource, which must be PostgreSQL. */
        POSTGRESQL,
        /** The SQLite file at {@code jangle.sqlite.path}. */
        SQLITE,
        /** In memory: nothing survives a restart. */
        MEMORY
    }

    /**
     * The SQLite store.
     *
     * @param path The database file, created with its folders when missing.
     */
    public record Sqlite(Path path) {
    }

    /**
     * The Actuator health indicator {@code jangle}.
     *
     * @param maxLag How far behind the feed a handler may be before the application reports itself down.
     */
    public record Health(@DefaultValue("60s") Duration maxLag) {
    }
}
