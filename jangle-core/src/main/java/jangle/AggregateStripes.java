package jangle;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * H9: serialises the commands of one node per aggregate id, in arrival order. A command holds its id's stripe from
 * the rebuild to the hand-off, so the next command for that id takes the aggregate its predecessor put back in the
 * cache, current, instead of racing it and losing an optimistic conflict (a hot aggregate was unfair: the winner went
 * straight on while the loser backed off and could lose again until its retries ran out). Across nodes the optimistic
 * check and retry (H1–H3) stay the only arbiter; this lock is a local fairness aid, never a correctness one.
 *
 * <p>Fixed fair stripes rather than a lock per id: no map to grow or clean, and two ids that share a stripe only wait
 * for each other, which costs little at the few sending threads a node has. Re-entrant, so a command path that sends
 * again on the same thread cannot deadlock on itself.
 */
final class AggregateStripes {
    private static final int STRIPES = 1024; // a power of two
    private static final long WAIT_SECONDS = 5;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    AggregateStripes() {
        for (int i = 0; i < STRIPES; i++) locks[i] = new ReentrantLock(true);
    }

    /**
     * Takes the stripe of {@code aggregateId} and returns it for the caller to unlock, or returns null when it was not
     * free within {@link #WAIT_SECONDS} (or the thread was interrupted): the command then runs unserialised, which is
     * still correct (H1–H3). The bound exists for a caller that sends while holding something a stripe holder waits
     * for (say, a SQLite write transaction whose writer lock the holder's append needs); it is never reached otherwise.
     */
    Lock lock(String aggregateId) {
        int h = aggregateId.hashCode();
        Lock l = locks[(h ^ (h >>> 16)) & (STRIPES - 1)];
        try {
            return l.tryLock(WAIT_SECONDS, TimeUnit.SECONDS) ? l : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
