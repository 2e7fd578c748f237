package jangle;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Hands this node's committed records to live dispatch in feed (position) order (D16), not in the order in which the
 * committing threads happen to return from their appends.
 *
 * <p>A command takes a {@link Slot} and gives {@link Slot#enqueue} to the store's append, which runs it while it still
 * holds the feed's order (after the positions are taken, before the commit), so slots are queued in position order.
 * After the append the command {@link Slot#fill fills} its slot with the records, or {@link Slot#cancel cancels} it
 * when the append failed. Whichever thread resolves a slot then passes every resolved slot at the head of the queue
 * downstream; a later slot that is resolved first waits (in memory, never the command) for the earlier one.
 *
 * <p>Never blocks a command (D2): the pump is taken with {@code tryLock}; a thread that finds it taken leaves the
 * work to its holder, who looks at the head again after releasing it, so no resolved slot is left behind.
 */
final class FeedOrderedHandoff {
    private final ConcurrentLinkedQueue<Slot> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock pump = new ReentrantLock();
    private final Consumer<List<EventRecord<?>>> downstream;

    FeedOrderedHandoff(Consumer<List<EventRecord<?>>> downstream) {
        this.downstream = downstream;
    }

    Slot slot() {
        return new Slot();
    }

    /** One append's place in the feed order. */
    final class Slot {
        private volatile boolean queued; // set by the thread that runs the append (a group's leader, perhaps)
        private volatile List<EventRecord<?>> records;
        private volatile boolean resolved;

        private Slot() {
        }

        /** Takes this slot's place in the queue; the store calls it inside its ordering lock. Idempotent. */
        void enqueue() {
            if (queued) return;
            queued = true;
            queue.add(this);
        }

        /** The append committed these records. Never throws (H4). */
        void fill(List<EventRecord<?>> committed) {
            if (resolved) return;
            records = committed;
            resolved = true;
            if (queued) drain();
            else downstream.accept(committed); // a store that never called enqueue (no order promise)
        }

        /** The append failed (nothing committed that this node will hand off): let later slots pass. */
        void cancel() {
            if (resolved) return;
            resolved = true;
            if (queued) drain();
        }
    }

    private void drain() {
        while (true) {
            if (!pump.tryLock()) return; // its holder re-checks the head after unlocking
            try {
                Slot head;
                while ((head = queue.peek()) != null && head.resolved) {
                    queue.poll();
                    List<EventRecord<?>> r = head.records;
                    if (r != null && !r.isEmpty()) {
                        try {
                            downstream.accept(r);
                        } catch (RuntimeException e) {
                            DispatchRuntime.LOG.atError().addKeyValue("point", "dispatch.error").setCause(e)
                                    .log("hand-off to dispatch failed; the events stay pending in the ledger");
                        }
                    }
                }
            } finally {
                pump.unlock();
            }
            Slot head = queue.peek();
            if (head == null || !head.resolved) return;
        }
    }
}
