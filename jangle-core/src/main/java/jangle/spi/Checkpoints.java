package jangle.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The processors' checkpoints (D17), kept by the event store because a projection's batch and a reactor's command
 * commit with them in one transaction (D15, D18). Thread-safe; a store shared by several processes makes every
 * method hold across processes.
 */
public interface Checkpoints {
    /** Where a processor stored for the first time starts (D19). */
    enum Start {
        /** Position 0: it catches up on the whole feed. */
        BEGINNING,
        /** The head of the feed at registration: it sees only what is committed afterwards. */
        HEAD
    }

    /**
     * Stores the processor's {@code segments} checkpoints, free, at the position {@code start} names, unless the
     * processor is stored already; returns its stored checkpoints, by segment. A stored processor keeps the segment
     * count it was stored with. On a store migrated from the delivery ledger (schema 2) a processor never starts below
     * the head recorded by the migration: every event up to there was dispatched by the ledger, and what was
     * unfinished was carried over as parked deliveries (D20); {@code BEGINNING} starts there, {@code HEAD} at the
     * current head.
     */
    List<Checkpoint> register(String processor, int segments, Start start);

    /** Every stored checkpoint, by processor and segment. */
    List<Checkpoint> all();

    /**
     * Renews, for {@code owner}, the leases it holds on {@code processor}'s segments until {@code now + lease}, and
     * claims free or expired segments until it holds {@code target}; releases the ones it holds above {@code target},
     * highest segment first. Atomic per segment: two owners never hold one segment at the same instant (rows locked by
     * another claim in progress are skipped, not waited for). Returns the segments {@code owner} holds afterwards.
     */
    List<Checkpoint> claim(String processor, String owner, Instant now, Duration lease, int target);

    /**
     * Records that {@code node} is alive until {@code now + lease} and returns every node alive at {@code now}
     * (including this one), sorted: the nodes that share the segments (D21). A node that holds no segment yet is
     * counted too, so the others give it its share.
     */
    List<String> heartbeat(String node, Instant now, Duration lease);

    /** Frees every segment {@code owner} holds and forgets its heartbeat (a node that stops). */
    void releaseAll(String owner);

    /**
     * In one transaction: runs {@code work} with the transaction, writes {@code parks}, then moves each checkpoint of
     * {@code advances} forward (never back) while its owner holds it. Nothing is written when {@code work} throws (the
     * exception propagates) or when a segment's owner has lost it ({@link jangle.LeaseLostException}).
     */
    void commit(List<Completion.Advance> advances, List<Park> parks, Work work);

    /**
     * Sets every segment of {@code processor} to {@code position}, frees its leases (so a holder still writing older
     * progress is refused) and deletes its parked deliveries above it, so the processor handles the feed again from
     * there (an operator's reset). Returns the number of segments changed.
     */
    int reset(String processor, long position);

    /** The work done inside {@link #commit}. */
    @FunctionalInterface
    interface Work {
        void run(StoreTransaction tx) throws Exception;

        Work NONE = tx -> { };
    }
}
