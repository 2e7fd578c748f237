package jangle;

import jangle.spi.EventStore;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds projections from the global feed (§12): reads it in batches of {@code batchSize} from a position and hands
 * each batch to the named projections only (R1: reactors and sagas are never replayed). A {@link Projection} object
 * gets each batch through {@link Projection#handleBatch} (R3: one transaction per batch) after {@link
 * Projection#reset()} when asked (R2); a lambda projection gets its events one by one, with a context that refuses to
 * send commands. Progress goes to the listener after every batch; printing is the caller's job (L2). Replay may run
 * while commands are served (R4): projections converge whatever the interleaving.
 */
final class ReplayRunner {
    /** One projection as replay sees it: its subscribed types, and either the object or the lambdas by type. */
    static final class Target {
        private final String name;
        private final Set<String> typeNames = new LinkedHashSet<>();
        private final Map<String, EventHandler<?>> lambdas = new HashMap<>();
        private Projection<?> projection;

        Target(String name) {
            this.name = name;
        }

        void add(String typeName, HandlerRegistration h) {
            typeNames.add(typeName);
            if (h.projection() != null) projection = h.projection();
            else lambdas.put(typeName, h.handler());
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        void apply(List<EventRecord<?>> batch, Clock clock) throws Exception {
            List<EventRecord<?>> mine = new ArrayList<>();
            for (EventRecord<?> r : batch) if (typeNames.contains(r.type())) mine.add(r);
            if (mine.isEmpty()) return;
            if (projection != null) {
                ProjectionCalls.handleBatch(projection, mine);
                return;
            }
            for (EventRecord<?> r : mine) {
                EventHandler raw = lambdas.get(r.type());
                DispatchContext ctx = new DispatchContext(r, name, null, clock, null);
                try {
                    raw.handle(r, ctx);
                } finally {
                    ctx.close();
                }
            }
        }

        void reset() throws Exception {
            if (projection != null) projection.reset();
        }
    }

    private final Map<String, Target> projections;
    private final EventStore events;
    private final int batchSize;
    private final Clock clock;

    ReplayRunner(Map<String, Target> projections, EventStore events, int batchSize, Clock clock) {
        this.projections = projections;
        this.events = events;
        this.batchSize = batchSize;
        this.clock = clock;
    }

    ReplayResult run(Collection<String> names, long fromPosition, boolean reset, ReplayListener listener) {
        if (names == null || names.isEmpty()) throw new IllegalArgumentException("name at least one projection");
        List<Target> targets = new ArrayList<>();
        for (String n : new LinkedHashSet<>(names)) {
            Target t = projections.get(n);
            if (t == null) {
                throw new IllegalArgumentException("'" + n + "' is not a registered projection (projections: "
                        + projections.keySet() + "); reactors and sagas are never replayed (R1)");
            }
            targets.add(t);
        }
        long started = System.nanoTime();
        if (reset) {
            for (Target t : targets) {
                try {
                    t.reset();
                } catch (Exception e) {
                    throw new JangleException("reset of projection '" + t.name + "' failed: " + e.getMessage(), e);
                }
            }
        }
        long position = Math.max(0, fromPosition);
        long total = Math.max(0, events.lastPosition() - position);
        long done = 0;
        while (true) {
            List<EventRecord<?>> batch = events.readFeed(position, batchSize);
            if (batch.isEmpty()) break;
            for (Target t : targets) {
                try {
                    t.apply(batch, clock);
                } catch (Exception e) {
                    throw new JangleException("replay of projection '" + t.name + "' failed in the batch after "
                            + "position " + position + ": " + e.getMessage(), e);
                }
            }
            done += batch.size();
            position = batch.get(batch.size() - 1).position();
            double seconds = (System.nanoTime() - started) / 1e9;
            listener.progress(done, Math.max(total, done), seconds <= 0 ? done : done / seconds);
        }
        return new ReplayResult(done, position, Duration.ofNanos(System.nanoTime() - started));
    }
}
