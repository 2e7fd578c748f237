package jangle;

import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Holds this node's share of every processor's segments (D21): every third of a lease it renews what it holds and
 * claims free or expired segments up to its fair share, and hands what it gained or lost to the segment workers.
 *
 * <p>The fair share, per processor: its nodes are those whose heartbeat for it (written every round) has not run
 * out, sorted by id, so a node that does not run a processor does not take a share of it; with
 * {@code n} nodes and {@code s} segments the node of rank {@code i} holds {@code s / n}, one more when
 * {@code i < s % n}. A node above its share gives segments back (so a node that joins gets some), a node below it
 * takes free ones, and a dead node's segments become free when its lease runs out.
 */
final class ProcessorLeases {
    private final Checkpoints checkpoints;
    private final Settings settings;
    private final Clock clock;
    private final List<Processor> processors;
    private final BiFunction<Integer, Integer, SegmentWorker> workerFor;
    /** processor → segments held, as last handed to the workers; guarded by this. */
    private final Map<String, Set<Integer>> held = new HashMap<>();
    private ScheduledExecutorService scheduler;

    ProcessorLeases(Checkpoints checkpoints, Settings settings, Clock clock, List<Processor> processors,
                    BiFunction<Integer, Integer, SegmentWorker> workerFor) {
        this.checkpoints = checkpoints;
        this.settings = settings;
        this.clock = clock;
        this.processors = List.copyOf(processors);
        this.workerFor = workerFor;
    }

    /** One round now on the caller's thread, then one every third of a lease (at most a second). */
    synchronized void start() {
        round();
        // at most a second, so a dead node's segments move within about lease + 1 s (D21)
        long period = Math.max(50, Math.min(1_000, settings.processorLease().toMillis() / 3));
        scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jangle-processor-leases");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::roundLogged, period, period, TimeUnit.MILLISECONDS);
    }

    boolean running() {
        ScheduledExecutorService s = scheduler;
        return s != null && !s.isShutdown();
    }

    /** Stops renewing and frees every segment this node holds, so another node (or a restart) takes them at once. */
    synchronized void stop() {
        if (scheduler != null) scheduler.shutdownNow();
        try {
            Instant now = clock.instant();
            for (Processor p : processors) { // a heartbeat that ends now: the others take the share at once
                checkpoints.heartbeat(heartbeatKey(p, settings.nodeId()), now, java.time.Duration.ZERO);
            }
            checkpoints.releaseAll(settings.nodeId());
        } catch (RuntimeException e) {
            DispatchRuntime.LOG.atWarn().addKeyValue("point", "dispatch.error").setCause(e)
                    .log("could not free this node's segments; other nodes take them when the lease runs out");
        }
    }

    private void roundLogged() {
        try {
            round();
        } catch (RuntimeException e) {
            DispatchRuntime.LOG.atWarn().addKeyValue("point", "dispatch.lease-failed").setCause(e)
                    .log("could not renew the segment leases; retrying");
        }
    }

    /** Renews and claims for every processor; tells the workers what changed. */
    synchronized void round() {
        Instant now = clock.instant();
        String self = settings.nodeId();
        for (Processor p : processors) {
            // the nodes that run this processor (not every node runs every handler): one heartbeat per processor
            List<String> nodes = nodesOf(p, checkpoints.heartbeat(heartbeatKey(p, self), now,
                    settings.processorLease()));
            int target = shareOf(segmentsOf(p), nodes.size(), nodes.indexOf(self));
            List<Integer> mine = new ArrayList<>(held.getOrDefault(p.name(), Set.of()));
            if (mine.size() > target) { // stop running what is given back before the store frees it
                mine.sort(java.util.Comparator.reverseOrder());
                for (Integer s : mine.subList(0, mine.size() - target)) {
                    workerFor.apply(s, segmentsOf(p)).revokeAndWait(p.name(), settings.processorLease().toMillis() / 2);
                }
            }
            List<Checkpoint> stored = checkpoints.claim(p.name(), self, now, settings.processorLease(), target);
            Set<Integer> now_ = new HashSet<>();
            for (Checkpoint c : stored) {
                now_.add(c.segment());
                Set<Integer> before = held.getOrDefault(p.name(), Set.of());
                if (!before.contains(c.segment())) workerFor.apply(c.segment(), c.segments()).assign(p, c.position());
            }
            for (Integer s : held.getOrDefault(p.name(), Set.of())) {
                if (!now_.contains(s)) workerFor.apply(s, segmentsOf(p)).revoke(p.name());
            }
            held.put(p.name(), now_);
        }
    }

    private final Map<String, Integer> segmentCounts = new HashMap<>();

    /** The heartbeat name of {@code node} for one processor: handler names never contain a space (D4). */
    private static String heartbeatKey(Processor p, String node) {
        return p.name() + " " + node;
    }

    /** The nodes alive for {@code p}, sorted, from every heartbeat name; this node always included. */
    private List<String> nodesOf(Processor p, List<String> alive) {
        String prefix = p.name() + " ";
        TreeSet<String> nodes = new TreeSet<>();
        nodes.add(settings.nodeId());
        for (String key : alive) if (key.startsWith(prefix)) nodes.add(key.substring(prefix.length()));
        return new ArrayList<>(nodes);
    }

    /**
     * Drops the processor from the workers and forgets its segments, so the next {@link #round} assigns them again
     * from their stored checkpoints (after an operator's reset).
     */
    synchronized void revokeLocally(String processor) {
        for (Integer s : held.getOrDefault(processor, Set.of())) {
            workerFor.apply(s, segmentCounts.getOrDefault(processor, settings.processorSegments())).revoke(processor);
        }
        held.remove(processor);
    }

    /** Remembers the stored segment count of a processor (from its registration). */
    synchronized void segments(String processor, int segments) {
        segmentCounts.put(processor, segments);
    }

    private int segmentsOf(Processor p) {
        return segmentCounts.getOrDefault(p.name(), settings.processorSegments());
    }

    static int shareOf(int segments, int nodes, int rank) {
        return segments / nodes + (rank < segments % nodes ? 1 : 0);
    }

    /** For tests and status: the segments this node holds, by processor. */
    synchronized Map<String, Set<Integer>> held() {
        Map<String, Set<Integer>> out = new HashMap<>();
        held.forEach((k, v) -> out.put(k, Set.copyOf(v)));
        return out;
    }
}
