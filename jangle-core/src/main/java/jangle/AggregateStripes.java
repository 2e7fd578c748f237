package jangle;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * H9: serialises the commands of one node per aggregate id, in arrival order. A command holds its id's stripe from
 * the rebuild to the hand-off, so the next command for that id takes the aggregate its predecessor put back in the
 * cache, current, instead of racing it and losing an optimistic conflict (a hot aggregate was unfair: the winner went
 * straight on while the loser backed off and could lose again until its retries ran out). Across nodes the optimistic
 * check and retry (H1–H3) stay the only arbiter; this lock is a local fairness aid, never a correctness one.
 *
 * <p>H10: a command that finds its stripe taken also leaves a {@link Waiting} entry, so that the holder may decide it
 * right after its own command and commit both in one append (see {@code CommandBus}).
 *
 * <p>Fixed fair stripes rather than a lock per id: no map to grow or clean, and two ids that share a stripe only wait
 * for each other, which costs little at the few sending threads a node has. Re-entrant, so a command path that sends
 * again on the same thread cannot deadlock on itself.
 */
final class AggregateStripes {
    private static final int STRIPES = 1024; // a power of two
    private static final long WAIT_SECONDS = 5;
    private final Stripe[] stripes = new Stripe[STRIPES];

    /** {@code contendedNanos}: how recent a wait for the same id must be for a holder to linger for a follower. */
    AggregateStripes(long contendedNanos) {
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Stripe(contendedNanos);
    }

    /** The stripe of {@code aggregateId}. */
    Stripe of(String aggregateId) {
        int h = aggregateId.hashCode();
        return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
    }

    /** One stripe: its fair lock, and the commands waiting for it that a holder may decide with its own (H10). */
    static final class Stripe {
        private final ReentrantLock lock = new ReentrantLock(true);
        final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
        /** A holder waiting a moment for a follower of its aggregate; woken when one arrives. */
        volatile Thread lingering;
        private volatile String contendedId;
        private volatile long contendedAt;
        private final long contendedNanos;

        Stripe(long contendedNanos) {
            this.contendedNanos = contendedNanos;
        }

        /** The lock if it is free now and no one waits for it (fair), else null. */
        Lock tryNow() {
            try {
                return lock.tryLock(0, TimeUnit.NANOSECONDS) ? lock : null; // honours fairness, unlike tryLock()
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /**
         * Waits for the lock, after queuing {@code mine} (when given) where the holder may claim it. Returns the lock
         * for the caller to unlock, or null when it was not free within {@link #WAIT_SECONDS} (or the thread was
         * interrupted): the command then runs unserialised, which is still correct (H1–H3). The bound exists for a
         * caller that sends while holding something a stripe holder waits for (say, a SQLite write transaction whose
         * writer lock the holder's append needs); it is never reached otherwise.
         */
        Lock await(Waiting mine) {
            if (mine != null) {
                contendedId = mine.aggregateId;
                contendedAt = System.nanoTime();
                mine.queued = true;
                waiting.add(mine);
                Thread holder = lingering;
                if (holder != null) LockSupport.unpark(holder);
            }
            try {
                return lock.tryLock(WAIT_SECONDS, TimeUnit.SECONDS) ? lock : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** Whether a command for {@code aggregateId} had to wait for this stripe lately: a follower may be near. */
        boolean contendedFor(String aggregateId) {
            return aggregateId.equals(contendedId) && System.nanoTime() - contendedAt < contendedNanos;
        }
    }

    /**
     * A command waiting for its stripe. The holder may claim it ({@code WAITING → CLAIMED}), and then, before it gives
     * the lock up, either completes it ({@code DONE}) or hands it back ({@code WAITING}); its own thread may take it
     * back while it is {@code WAITING} ({@code → OWN}) and run it itself.
     */
    static final class Waiting {
        static final int WAITING = 0;
        static final int CLAIMED = 1;
        static final int DONE = 2;
        static final int OWN = 3;

        final String aggregateId;
        final Command command;
        final CommandBus.Route route;
        final Metadata metadata;
        /** Whether a holder may decide it (H10); one that may not still holds its place in the order (H9). */
        final boolean shareable;
        /** Set before it is queued; a command that took its stripe at once never is. */
        boolean queued;
        private final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
        /** Set before DONE is published. */
        CommandResponse response;
        RuntimeException error;

        Waiting(String aggregateId, Command command, CommandBus.Route route, Metadata metadata, boolean shareable) {
            this.aggregateId = aggregateId;
            this.command = command;
            this.route = route;
            this.metadata = metadata;
            this.shareable = shareable;
        }

        boolean claim() {
            return shareable && state.compareAndSet(WAITING, CLAIMED);
        }

        boolean takeBack() {
            return state.compareAndSet(WAITING, OWN);
        }

        void handBack() {
            state.set(WAITING);
        }

        void complete(CommandResponse response, RuntimeException error) {
            this.response = response;
            this.error = error;
            state.set(DONE);
        }

        int state() {
            return state.get();
        }
    }
}
