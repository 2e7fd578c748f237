package jangle.memory;

import jangle.LeaseLostException;
import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Park;
import jangle.spi.StoreTransaction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The checkpoints of an {@link InMemoryEventStore} (D17). Every method takes the store's lock, so a commit is atomic
 * with appends and parks, as one database transaction would be.
 */
final class InMemoryCheckpoints implements Checkpoints {
    private static final Instant NEVER = Instant.EPOCH;
    private final InMemoryEventStore store;
    /** processor → segment → checkpoint; guarded by the store's lock. */
    private final Map<String, TreeMap<Integer, Checkpoint>> rows = new TreeMap<>();
    /** node → alive until; guarded by the store's lock. */
    private final Map<String, Instant> nodes = new TreeMap<>();

    InMemoryCheckpoints(InMemoryEventStore store) {
        this.store = store;
    }

    @Override
    public List<Checkpoint> register(String processor, int segments, Start start) {
        if (segments < 1) throw new IllegalArgumentException("segments must be >= 1, got " + segments);
        store.lock().lock();
        try {
            TreeMap<Integer, Checkpoint> stored = rows.get(processor);
            if (stored == null) {
                stored = new TreeMap<>();
                long position = start == Start.HEAD ? store.lastPosition() : 0;
                for (int s = 0; s < segments; s++) {
                    stored.put(s, new Checkpoint(processor, s, segments, position, Optional.empty(), NEVER, NEVER));
                }
                rows.put(processor, stored);
            }
            return List.copyOf(stored.values());
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public List<Checkpoint> all() {
        store.lock().lock();
        try {
            List<Checkpoint> out = new ArrayList<>();
            for (TreeMap<Integer, Checkpoint> m : rows.values()) out.addAll(m.values());
            return out;
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public List<Checkpoint> claim(String processor, String owner, Instant now, Duration lease, int target) {
        store.lock().lock();
        try {
            TreeMap<Integer, Checkpoint> stored = rows.get(processor);
            if (stored == null) return List.of();
            Instant until = now.plus(lease);
            List<Checkpoint> held = new ArrayList<>();
            for (Checkpoint c : stored.values()) {
                if (c.heldBy(owner, now)) held.add(c);
            }
            while (held.size() > target) { // give back the highest segments first
                Checkpoint c = held.remove(held.size() - 1);
                stored.put(c.segment(), with(c, c.position(), Optional.empty(), NEVER, c.updatedAt()));
            }
            for (Checkpoint c : stored.values()) {
                if (held.size() >= target) break;
                boolean free = c.owner().isEmpty() || !c.leaseUntil().isAfter(now);
                if (free && !held.contains(c)) held.add(c);
            }
            List<Checkpoint> out = new ArrayList<>(held.size());
            for (Checkpoint c : held) {
                Checkpoint renewed = with(c, c.position(), Optional.of(owner), until, c.updatedAt());
                stored.put(c.segment(), renewed);
                out.add(renewed);
            }
            out.sort(java.util.Comparator.comparingInt(Checkpoint::segment));
            return out;
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public List<String> heartbeat(String node, Instant now, Duration lease) {
        store.lock().lock();
        try {
            nodes.put(node, now.plus(lease));
            List<String> alive = new ArrayList<>();
            nodes.forEach((n, until) -> {
                if (until.isAfter(now)) alive.add(n);
            });
            return alive;
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public void releaseAll(String owner) {
        store.lock().lock();
        try {
            nodes.remove(owner);
            for (TreeMap<Integer, Checkpoint> m : rows.values()) {
                for (Checkpoint c : List.copyOf(m.values())) {
                    if (c.owner().isPresent() && c.owner().get().equals(owner)) {
                        m.put(c.segment(), with(c, c.position(), Optional.empty(), NEVER, c.updatedAt()));
                    }
                }
            }
        } finally {
            store.lock().unlock();
        }
    }

    /**
     * Runs {@code work} outside the store's lock (it writes nothing of this store, and appends must not wait for a
     * projection, D2), then checks the owners and writes parks and advances under the lock, all or nothing.
     */
    @Override
    public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
        store.lock().lock();
        try {
            for (Completion.Advance a : advances) checkHeld(a);
        } finally {
            store.lock().unlock();
        }
        try {
            work.run(StoreTransaction.NONE);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new jangle.JangleException("a processor's work failed: " + e.getMessage(), e);
        }
        store.lock().lock();
        try {
            for (Completion.Advance a : advances) checkHeld(a);
            for (Park p : parks) store.park(p);
            for (Completion.Advance a : advances) advance(a);
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public int reset(String processor, long position) {
        if (position < 0) throw new IllegalArgumentException("position must be >= 0, got " + position);
        store.lock().lock();
        try {
            TreeMap<Integer, Checkpoint> stored = rows.get(processor);
            if (stored == null) return 0;
            for (Checkpoint c : List.copyOf(stored.values())) {
                // freed, so a holder still writing the old progress is refused (D21) and the next claim starts here
                stored.put(c.segment(), with(c, position, Optional.empty(), NEVER, Instant.now()));
            }
            store.unparkAbove(processor, position);
            return stored.size();
        } finally {
            store.lock().unlock();
        }
    }

    /** Throws when {@code a}'s owner does not hold its segment; the caller holds the store's lock. */
    void checkHeld(Completion.Advance a) {
        TreeMap<Integer, Checkpoint> stored = rows.get(a.processor());
        Checkpoint c = stored == null ? null : stored.get(a.segment());
        if (c == null || c.owner().isEmpty() || !c.owner().get().equals(a.owner())) {
            throw new LeaseLostException(a.processor(), a.segment(), a.owner());
        }
    }

    /** Moves a checkpoint forward; the caller holds the store's lock and checked the owner. */
    void advance(Completion.Advance a) {
        TreeMap<Integer, Checkpoint> stored = rows.get(a.processor());
        Checkpoint c = stored.get(a.segment());
        if (a.position() > c.position()) {
            stored.put(a.segment(), with(c, a.position(), c.owner(), c.leaseUntil(), Instant.now()));
        }
    }

    private static Checkpoint with(Checkpoint c, long position, Optional<String> owner, Instant until, Instant at) {
        return new Checkpoint(c.processor(), c.segment(), c.segments(), position, owner, until, at);
    }
}
