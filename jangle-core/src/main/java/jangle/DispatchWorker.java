package jangle;

import jangle.spi.DeliveryKey;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live dispatcher thread ({@code jangle-dispatch-N}) with its bounded hand-off (D2, D5).
 *
 * <p>{@link #offer} never blocks: when the queue is full the record is dropped, its position noted, and the worker
 * enters overflow mode, in which every further offer is dropped too. Once the worker has drained its queue it reads
 * the dropped work back from the global feed, from the lowest dropped position to the end, running the records of its
 * partition (their deliveries are still pending in the ledger, D1); then it leaves overflow mode. The range it covered
 * is remembered so that a record both read back and queued (an offer that raced with the end of overflow mode) runs
 * once, and the positions it recently ran from the queue are remembered (a ring of about the hand-off's size) so that
 * a record queued by one thread while another thread's earlier position was dropped is not run again either. The feed, not the ledger, is read back so that failed deliveries waiting for the daemon are not re-run, and
 * so that the read is O(overflowed events). Because the feed never skips a late commit (G1), nothing is lost: a drop
 * always sets the mode again after noting its position, so the next drained queue reads it back.
 *
 * <p>Successful deliveries of a drained batch are marked done with one ledger call; failures are recorded at once.
 */
final class DispatchWorker implements Runnable {
    private final DispatchRuntime runtime;
    private final EventStore events;
    private final DispatchLedger ledger;
    private final int index;
    private final int partitions;
    private final int batchSize;
    private final ArrayBlockingQueue<EventRecord<?>> queue;
    private final AtomicLong lowestDropped = new AtomicLong(Long.MAX_VALUE);
    private final Thread thread;
    private volatile boolean overflowing;
    private volatile boolean closing;
    private volatile long drainDeadline;
    // the last feed range read back in overflow recovery (worker thread only); empty when high < low
    private long coveredLow = 1;
    private long coveredHigh = 0;
    // positions recently run from the queue (worker thread only), so a read-back does not run them again
    private final long[] recent;
    private int recentNext;

    DispatchWorker(DispatchRuntime runtime, EventStore events, DispatchLedger ledger, int index, int partitions,
                   int capacity, Settings settings) {
        this.runtime = runtime;
        this.events = events;
        this.ledger = ledger;
        this.index = index;
        this.partitions = partitions;
        this.batchSize = settings.batchSize();
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.recent = new long[(int) Math.min(1 << 20, (long) capacity + 2L * batchSize + 1024)];
        this.thread = new Thread(this, "jangle-dispatch-" + (index + 1));
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean alive() {
        return thread.isAlive();
    }

    /** Never blocks (D2). */
    void offer(EventRecord<?> record) {
        if (!overflowing && queue.offer(record)) {
            if (DispatchRuntime.LOG.isTraceEnabled()) {
                DispatchRuntime.LOG.atTrace().addKeyValue("point", "dispatch.handed-off")
                        .addKeyValue("eventId", record.eventId()).addKeyValue("position", record.position())
                        .log("handed off");
            }
            return;
        }
        lowestDropped.accumulateAndGet(record.position(), Math::min); // note the position first,
        if (!overflowing) {
            overflowing = true;                                           // then the mode (see class comment)
            DispatchRuntime.logOverflow(index);
        }
    }

    void close(long deadlineNanos) {
        drainDeadline = deadlineNanos;
        closing = true;
    }

    void join(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        try {
            if (left > 0) thread.join(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        List<EventRecord<?>> batch = new ArrayList<>(batchSize);
        while (true) {
            try {
                EventRecord<?> first = closing || overflowing ? queue.poll() : queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) return;
                    if (overflowing) recover();
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                List<EventRecord<?>> toRun = new ArrayList<>(batch.size());
                for (EventRecord<?> r : batch) {
                    if (r.position() >= coveredLow && r.position() <= coveredHigh) continue; // read back already
                    recent[recentNext] = r.position();
                    recentNext = (recentNext + 1) % recent.length;
                    toRun.add(r);
                }
                runAll(toRun);
                if (closing && System.nanoTime() - drainDeadline > 0) return;
            } catch (InterruptedException e) {
                if (closing) return;
            } catch (RuntimeException e) {
                DispatchRuntime.LOG.atError().addKeyValue("point", "dispatch.error").addKeyValue("worker", index)
                        .setCause(e).log("the dispatcher failed; the affected deliveries stay pending");
            }
        }
    }

    /**
     * Runs the handlers of {@code records} and marks the successful deliveries done with one ledger call. Projections
     * registered as {@link Projection} objects get the records they subscribe to in one {@link Projection#handleBatch}
     * call (one read-model transaction per drained batch instead of one per event); when that call fails, its events
     * run one by one so that only the failing deliveries are recorded as failed. Every other handler runs per event.
     */
    private void runAll(List<EventRecord<?>> records) {
        List<DeliveryKey> done = new ArrayList<>();
        List<DeliveryKey> claimed = new ArrayList<>();
        try {
            Map<Projection<?>, List<Claimed>> batches = new IdentityHashMap<>();
            for (EventRecord<?> r : records) {
                DispatchBinding[] bindings = runtime.bindings(r.type());
                if (bindings == null) continue;
                for (DispatchBinding b : bindings) {
                    if (b.batchTarget() == null) continue;
                    DeliveryKey key = new DeliveryKey(r.eventId(), b.name());
                    if (runtime.claim(key)) {
                        batches.computeIfAbsent(b.batchTarget(), p -> new ArrayList<>()).add(new Claimed(r, b, key));
                    }
                }
            }
            for (Map.Entry<Projection<?>, List<Claimed>> e : batches.entrySet()) {
                List<Claimed> items = e.getValue();
                if (runtime.runBatch(e.getKey(), items.stream().<EventRecord<?>>map(Claimed::record).toList())) {
                    for (Claimed c : items) {
                        done.add(c.key());
                        claimed.add(c.key());
                    }
                } else {
                    for (Claimed c : items) runtime.release(c.key());
                    for (Claimed c : items) runOne(c.record(), c.binding(), done, claimed);
                }
            }
            for (EventRecord<?> r : records) runRecord(r, done, claimed);
        } finally {
            finish(done, claimed);
        }
    }

    /** A delivery claimed for a projection batch. */
    private record Claimed(EventRecord<?> record, DispatchBinding binding, DeliveryKey key) {
    }

    /** Runs the handlers of one record that are not batched projections, each independently (D3). */
    private void runRecord(EventRecord<?> r, List<DeliveryKey> done, List<DeliveryKey> claimed) {
        DispatchBinding[] bindings = runtime.bindings(r.type());
        if (bindings == null) return;
        for (DispatchBinding b : bindings) {
            if (b.batchTarget() == null) runOne(r, b, done, claimed);
        }
    }

    private void runOne(EventRecord<?> r, DispatchBinding b, List<DeliveryKey> done, List<DeliveryKey> claimed) {
        DeliveryKey key = new DeliveryKey(r.eventId(), b.name());
        if (!runtime.claim(key)) return;
        DispatchRuntime.Outcome outcome = null;
        try {
            outcome = runtime.run(b, r, 1, DispatchRuntime.Source.LIVE);
        } finally {
            if (outcome == DispatchRuntime.Outcome.DONE) {
                done.add(key);
                claimed.add(key); // released after it is marked done
            } else if (outcome == null) {
                runtime.release(key);
            }
        }
    }

    private void finish(List<DeliveryKey> done, List<DeliveryKey> claimed) {
        try {
            ledger.markDone(done);
        } catch (RuntimeException e) {
            DispatchRuntime.LOG.atError().addKeyValue("point", "dispatch.error").addKeyValue("deliveries", done.size())
                    .setCause(e).log("could not mark deliveries done; they stay pending and will be retried");
        } finally {
            runtime.release(claimed);
        }
    }

    /** Reads dropped work back from the feed (see class comment). Runs on the worker thread with an empty queue. */
    private void recover() {
        overflowing = false; // drops from here on set it again and are read back next time
        long low = lowestDropped.getAndSet(Long.MAX_VALUE);
        if (low == Long.MAX_VALUE) return;
        boolean hasCovered = coveredHigh >= coveredLow;
        boolean joins = hasCovered && low <= coveredHigh + 1;
        long from = joins && low >= coveredLow ? coveredHigh + 1 : low;
        long end = readBack(from - 1);
        if (joins) {
            coveredLow = Math.min(coveredLow, low);
            coveredHigh = Math.max(coveredHigh, end);
        } else {
            coveredLow = low;
            coveredHigh = Math.max(low - 1, end);
        }
    }

    /** Runs this partition's records after {@code afterPosition} to the end of the feed, skipping the covered range.
     * Returns the last position read. */
    private long readBack(long afterPosition) {
        long position = afterPosition;
        long skipLow = coveredLow;
        long skipHigh = coveredHigh;
        Set<Long> ranLive = new HashSet<>();
        for (long p : recent) if (p > afterPosition) ranLive.add(p);
        while (!closing) {
            List<EventRecord<?>> page = events.readFeed(position, batchSize);
            if (page.isEmpty()) break;
            List<EventRecord<?>> toRun = new ArrayList<>(page.size());
            for (EventRecord<?> r : page) {
                position = r.position();
                if (position >= skipLow && position <= skipHigh || ranLive.contains(position)) continue;
                if (partitions > 1 && Math.floorMod(r.aggregateId().hashCode(), partitions) != index) continue;
                toRun.add(r);
            }
            runAll(toRun);
        }
        return position;
    }
}
