package jangle.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Parked deliveries (§8.2, D3, D11): the (event, handler) pairs a processor failed on and moved past, pending a retry
 * by the event daemon or dead after {@code deadLetterAttempts}. Rows are written only by
 * {@link Checkpoints#commit} (with the checkpoint that moves past them) and by a migration from the old ledger (D20);
 * a resolved row is deleted. Kept by the event store because D15 needs one transaction. Thread-safe.
 */
public interface DispatchLedger {
    /** Pending deliveries whose last attempt (or commit) is at or before {@code now − maxAge}, oldest position first. */
    List<Delivery> due(Instant now, Duration maxAge, int limit);

    /**
     * Claims, for the event daemon of node {@code owner}, up to {@code limit} pending deliveries at positions up to
     * {@code maxPosition} and returns them, oldest position first. A delivery can be claimed when its last attempt (or
     * commit, or claim) is at or before {@code now − maxAge}: that age is the lease every holder has, so the
     * deliveries of a node that crashed are taken over by another once it runs out. With {@code includeOwn}, those
     * already held by {@code owner} (and those held by no one) can be claimed at any age: the catch-up pass of a
     * restarted node takes its own work back at once (D10) without taking what other live nodes are running.
     *
     * <p>Claiming records {@code owner} and restarts the delivery's age at {@code now}, atomically with the choice,
     * so two nodes never claim the same delivery within one lease. Stores shared by several processes must make
     * this hold across processes (for example {@code SELECT ... FOR UPDATE SKIP LOCKED} and the update in one
     * transaction); deliveries appended by node N count as claimed by N from their commit (its live dispatch).
     */
    List<Delivery> claim(String owner, Instant now, Duration maxAge, long maxPosition, boolean includeOwn,
                         int limit);

    /** Idempotent; unknown or already done is not an error. */
    void markDone(Collection<DeliveryKey> deliveries);

    /**
     * Increments attempts and stores the error and time; parks the delivery as {@link DeliveryStatus#DEAD} when
     * attempts reach {@code deadLetterAttempts}. Returns the new status (DONE when the delivery was unknown or done).
     */
    DeliveryStatus recordFailure(DeliveryKey delivery, String error, Instant now, int deadLetterAttempts);

    /** Pending or dead deliveries for operators, oldest position first; {@code handler} null means all handlers. */
    List<Delivery> list(DeliveryStatus status, String handler, int limit);

    /** Puts dead deliveries back to pending with attempts reset, due at once. {@code handler} null: all handlers of
     * the event. Returns how many were reset. */
    int retry(UUID eventId, String handler);

    /** {@link #retry} for every dead delivery (of one handler, when not null). */
    int retryAll(String handler);

    /** Marks a pending or dead delivery done without running it. Returns false when there was none. */
    boolean skip(DeliveryKey delivery, String reason);

    /** The lowest position with a delivery of this status for {@code handler}; empty when none. */
    OptionalLong lowestPosition(String handler, DeliveryStatus status);

    /** Deliveries of this status whose event carries {@code correlationId} (CA3). */
    long count(UUID correlationId, DeliveryStatus status);

    /** Handler names that have pending or dead deliveries (D13). */
    List<String> handlersWithWork();

    /**
     * Pending and dead counts per handler, with the oldest pending delivery, for metrics and health. Only handlers
     * with pending or dead deliveries appear. The default lists every delivery; stores override it with one query.
     */
    default java.util.List<HandlerBacklog> backlog() {
        java.util.Map<String, long[]> counts = new java.util.TreeMap<>();
        java.util.Map<String, Delivery> oldest = new java.util.HashMap<>();
        for (Delivery d : list(DeliveryStatus.PENDING, null, Integer.MAX_VALUE)) {
            counts.computeIfAbsent(d.handler(), h -> new long[2])[0]++;
            oldest.merge(d.handler(), d, (a, b) -> a.position() <= b.position() ? a : b);
        }
        for (Delivery d : list(DeliveryStatus.DEAD, null, Integer.MAX_VALUE)) {
            counts.computeIfAbsent(d.handler(), h -> new long[2])[1]++;
        }
        java.util.List<HandlerBacklog> out = new java.util.ArrayList<>();
        counts.forEach((h, c) -> {
            Delivery o = oldest.get(h);
            out.add(new HandlerBacklog(h, c[0], c[1], o == null ? null : o.committedAt(), o == null ? 0 : o.position()));
        });
        return out;
    }
}
