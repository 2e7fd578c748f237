package jangle;

import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.EventStore;
import jangle.spi.FeedFilter;
import jangle.spi.FeedPage;
import jangle.spi.Park;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One thread ({@code jangle-segment-S-of-N}) that runs segment {@code S} of every processor whose lease this node
 * holds for that segment (D17), in feed order (D5, D16).
 *
 * <p><b>Where records come from.</b> The node's commits are handed over in feed order, one list per append, without
 * ever blocking (D2); a full queue drops the list. The worker keeps {@code head}, the position up to which its live
 * members have handled the feed. Each {@link Handoff} says from which position on it covers the feed: a list that
 * holds none of this segment's records is not queued (the worker is not woken for it) while the lists before it
 * reached this worker; the next list it does get then covers the skipped ones too, and a {@link Quiet} note tells an
 * idle worker how far the feed holds nothing for it (D24). A hand-off whose coverage starts after {@code head} (a
 * dropped list, or positions another node committed) makes the worker read the gap from the feed first, filtered to
 * its segment before payloads are decoded. When nothing arrives for a poll interval it asks the store for the last
 * position and reads what other nodes committed. Positions are gapless and in commit order (G1), so this never skips
 * an event.
 *
 * <p><b>Members.</b> A member whose checkpoint is behind {@code head} (a new processor, a reset, a segment taken over
 * from another node) catches up from the feed one page per turn, beside the live work, and joins the live members
 * when it reaches {@code head}.
 *
 * <p><b>Progress.</b> A batched projection's records and its checkpoint commit in one transaction (D18). Other
 * handlers run event by event; their checkpoints move in one write after the batch, or inside the command of a
 * {@code sendAndComplete} (D15), and when the command of its last event in the batch stored it, there is no write
 * after the batch. A handler that still fails after {@code handlerAttempts} is parked for it, in the same transaction
 * as the checkpoint that moves past the event (D3). A member with nothing (more) to do in a batch moves its checkpoint
 * in memory and writes it at most once a second: losing that write re-reads events it does not handle.
 * A write refused for a lost lease drops the member (D21).
 */
final class SegmentWorker implements Runnable {
    private static final long FLUSH_NANOS = 1_000_000_000L;
    /** A lingering segment looks at {@code closing} at least this often. */
    private static final long LINGER_SLICE_NANOS = 10_000_000L;

    private final DispatchRuntime runtime;
    private final EventStore events;
    private final Checkpoints checkpoints;
    private final Settings settings;
    private final Clock clock;
    private final String node;
    private final int segment;
    private final int segments;
    private final ArrayBlockingQueue<Handoff> queue;
    private final ConcurrentLinkedQueue<Runnable> changes = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closing;
    private volatile long drainDeadline;
    /** The latest stretch of the feed known to hold nothing for this segment; written by the handing-over thread. */
    private volatile Quiet quiet;

    // the handing-over thread only (the runtime calls handOver one list at a time)
    private boolean chained;
    private long handedThrough;
    private volatile long handoffs;

    // worker thread only
    private final Map<String, Member> members = new LinkedHashMap<>();
    private long head = -1;
    private long lastFlush = System.nanoTime();
    private long handled;

    /**
     * Committed records handed over: {@code records} (ascending positions, any segment's) are every record of this
     * segment in the feed after {@code after} up to the last of them.
     */
    record Handoff(long after, List<EventRecord<?>> records) {
    }

    /** The feed after {@code after} up to {@code through} holds no record of this segment. */
    record Quiet(long after, long through) {
    }

    /** A held processor segment: its processor and its checkpoint as this worker knows it. */
    private static final class Member {
        final Processor processor;
        long position;
        boolean dirty;

        Member(Processor processor, long position) {
            this.processor = processor;
            this.position = position;
        }
    }

    SegmentWorker(DispatchRuntime runtime, EventStore events, Settings settings, Clock clock, int segment,
                  int segments, int capacity) {
        this.runtime = runtime;
        this.events = events;
        this.checkpoints = events.checkpoints();
        this.settings = settings;
        this.clock = clock;
        this.node = settings.nodeId();
        this.segment = segment;
        this.segments = segments;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
        this.thread = new Thread(this, "jangle-segment-" + segment + "-of-" + segments);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean alive() {
        return thread.isAlive();
    }

    int segment() {
        return segment;
    }

    /**
     * Hands over one append's records; the runtime calls this one list at a time, in feed order. {@code follows}: the
     * list starts right after the previous one handed over, so nothing another node committed lies between them.
     * A list with none of this segment's records that follows is not queued, and the worker is not woken for it
     * (D24); it only extends the {@link Quiet} stretch. Never blocks (D2): a full queue drops the list, and the next
     * hand-off's coverage then starts after it, which makes the worker read it back from the feed.
     */
    void handOver(List<EventRecord<?>> committed, boolean follows) {
        long to = committed.getLast().position();
        if (follows && chained && !holdsAny(committed)) {
            quiet = new Quiet(handedThrough, to);
            return;
        }
        long after = follows && chained ? handedThrough : committed.getFirst().position() - 1;
        if (!queue.offer(new Handoff(after, committed))) DispatchRuntime.logOverflow(segment);
        handoffs++;
        chained = true;
        handedThrough = to;
    }

    /** For tests: how many hand-offs were meant for this worker's queue (dropped ones included). */
    long handoffs() {
        return handoffs;
    }

    private boolean holdsAny(List<EventRecord<?>> committed) {
        for (EventRecord<?> r : committed) {
            if (FeedFilter.segmentOf(r.aggregateId(), segments) == segment) return true;
        }
        return false;
    }

    /** Takes {@code processor}'s segment into this worker, from its stored checkpoint (the lease was just claimed). */
    void assign(Processor processor, long position) {
        changes.add(() -> {
            if (members.containsKey(processor.name())) return;
            members.put(processor.name(), new Member(processor, position));
        });
    }

    /** Drops {@code processor}'s segment (its lease was given up or lost); unwritten progress is re-read later. */
    void revoke(String processor) {
        changes.add(() -> drop(processor));
    }

    /**
     * Drops {@code processor}'s segment and waits (at most {@code timeoutMillis}) until this worker no longer runs it,
     * so a segment given back is not handled by two nodes at once (D21). True when it was dropped in time.
     */
    boolean revokeAndWait(String processor, long timeoutMillis) {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        changes.add(() -> {
            drop(processor);
            done.countDown();
        });
        if (!thread.isAlive()) return false;
        try {
            return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Applies membership changes queued by the lease manager (worker thread only). */
    private void applyChanges() {
        for (Runnable c; (c = changes.poll()) != null; ) c.run();
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
        try {
            while (true) {
                try {
                    applyChanges();
                    if (closing && (queue.isEmpty() || System.nanoTime() - drainDeadline > 0)) break;
                    if (members.isEmpty()) {
                        head = -1;
                        queue.poll(settings.processorPollInterval().toMillis(), TimeUnit.MILLISECONDS);
                        continue;
                    }
                    if (head < 0) { // (re)starting: the furthest member sets head, the others catch up to it
                        for (Member m : members.values()) head = Math.max(head, m.position);
                    }
                    boolean lagging = catchUpStep();
                    liveStep(lagging);
                    flushIfDue(false);
                } catch (InterruptedException e) {
                    if (closing) break;
                } catch (RuntimeException e) {
                    DispatchRuntime.LOG.atError().addKeyValue("point", "dispatch.error")
                            .addKeyValue("segment", segment).setCause(e)
                            .log("a processor segment failed; it resumes from its last checkpoint");
                    reloadFromStore();
                    pause();
                }
            }
        } finally {
            try {
                if (!members.isEmpty()) passQuiet();
                flushIfDue(true);
            } catch (RuntimeException e) {
                DispatchRuntime.LOG.atWarn().addKeyValue("point", "dispatch.error").addKeyValue("segment", segment)
                        .setCause(e).log("could not write the last checkpoints; they are re-read at the next start");
            }
        }
    }

    /**
     * Runs every member up to the head of the feed on the caller's thread, then writes the checkpoints; for an
     * application whose processors are not started (fixtures, tools). This worker's own thread must not run.
     * Returns the number of (event, handler) calls made. Failures propagate.
     */
    int drain() {
        applyChanges();
        if (members.isEmpty()) return 0;
        long before = handled;
        for (Member m : members.values()) head = Math.max(head, m.position);
        while (catchUpStep()) {
            // each step reads one page per member behind head
        }
        readLive(events.lastPosition());
        flushIfDue(true);
        return (int) Math.min(Integer.MAX_VALUE, handled - before);
    }

    /** One feed page for each member behind {@code head}; true when some member is still behind afterwards. */
    private boolean catchUpStep() {
        boolean behind = false;
        for (Member m : List.copyOf(members.values())) {
            if (m.position >= head) continue;
            FeedPage page = events.readFeed(m.position, settings.replayBatchSize(),
                    new FeedFilter(segment, segments, m.processor.types()));
            long upTo = Math.min(page.scannedTo(), head);
            if (page.scannedTo() <= m.position) upTo = head; // the feed ends before head: nothing left to read
            List<EventRecord<?>> mine = new ArrayList<>(page.records().size());
            for (EventRecord<?> r : page.records()) if (r.position() <= upTo) mine.add(r);
            parkUnreadable(page, upTo, List.of(m));
            handle(mine, upTo, List.of(m));
            if (members.containsKey(m.processor.name()) && m.position < head) behind = true;
        }
        return behind;
    }

    /** Takes the next handed-over lists (or reads the feed when idle) and runs them for the live members. */
    private void liveStep(boolean lagging) throws InterruptedException {
        Handoff first = lagging ? queue.poll()
                : queue.poll(settings.processorPollInterval().toMillis(), TimeUnit.MILLISECONDS);
        applyChanges(); // a segment given back while this thread waited must not be handled here (D21)
        if (members.isEmpty()) return;
        if (first == null) {
            if (lagging) return;
            passQuiet();
            long last = events.lastPosition();
            if (last > head) readLive(last);
            return;
        }
        List<Handoff> lists = new ArrayList<>();
        lists.add(first);
        queue.drainTo(lists, Math.max(0, settings.processorBatchSize() / 4));
        if (!lagging) linger(lists);
        List<EventRecord<?>> batch = new ArrayList<>();
        long batchEnd = head;
        for (Handoff handoff : lists) {
            List<EventRecord<?>> list = handoff.records();
            if (list.isEmpty()) continue;
            long to = list.getLast().position();
            if (to <= batchEnd) continue; // read from the feed already
            if (handoff.after() > batchEnd) { // a gap: dropped lists or other nodes' commits
                runLive(batch, batchEnd);
                batch = new ArrayList<>();
                readLive(handoff.after());
                batchEnd = head;
                // not read (closing, or the feed did not show it yet): never run what follows the gap before it; the
                // lists left here are read back from the feed later, since the checkpoints have not passed them
                if (batchEnd < handoff.after()) return;
                if (to <= batchEnd) continue;
            }
            for (EventRecord<?> r : list) {
                if (r.position() > batchEnd && FeedFilter.segmentOf(r.aggregateId(), segments) == segment) batch.add(r);
            }
            batchEnd = to;
            if (batch.size() >= settings.processorBatchSize()) {
                runLive(batch, batchEnd);
                batch = new ArrayList<>();
            }
        }
        runLive(batch, batchEnd);
    }

    /**
     * D22: waits up to {@code processorBatchLinger} for more handed-over lists while {@code lists} holds fewer than
     * {@code processorBatchSize} records, so that a trickle of small commits is handled, and committed, as one batch.
     */
    private void linger(List<Handoff> lists) throws InterruptedException {
        long linger = settings.processorBatchLinger().toNanos();
        if (linger == 0) return;
        int records = 0;
        for (Handoff h : lists) records += h.records().size();
        long until = System.nanoTime() + linger;
        while (records < settings.processorBatchSize() && !closing) {
            long left = until - System.nanoTime();
            if (left <= 0) return;
            Handoff more = queue.poll(Math.min(left, LINGER_SLICE_NANOS), TimeUnit.NANOSECONDS);
            if (more == null) continue;
            int from = lists.size();
            lists.add(more);
            queue.drainTo(lists, Math.max(0, settings.processorBatchSize() / 4 - lists.size()));
            for (int i = from; i < lists.size(); i++) records += lists.get(i).records().size();
        }
    }

    /** Reads the feed after {@code head} up to {@code to} for the live members, page by page. */
    private void readLive(long to) {
        while (head < to && !closing) {
            Set<String> types = new HashSet<>();
            for (Member m : members.values()) if (m.position >= head) types.addAll(m.processor.types());
            if (types.isEmpty()) return;
            FeedPage page = events.readFeed(head, settings.processorBatchSize(),
                    new FeedFilter(segment, segments, types));
            if (page.scannedTo() <= head) return;
            List<Member> live = new ArrayList<>();
            for (Member m : members.values()) if (m.position >= head) live.add(m);
            parkUnreadable(page, page.scannedTo(), live);
            runLive(page.records(), page.scannedTo());
        }
    }

    /**
     * Moves the live members over the latest {@link Quiet} stretch when it starts at or before {@code head}: every
     * hand-off before it has been handled, and it holds nothing for this segment (D24). No store access.
     */
    private void passQuiet() {
        Quiet q = quiet;
        if (q != null && head >= 0 && q.after() <= head) runLive(List.of(), q.through());
    }

    /** Runs {@code records} (this segment's, ascending, all after head) for the live members and moves head on. */
    private void runLive(List<EventRecord<?>> records, long upTo) {
        if (upTo <= head) return;
        List<Member> live = new ArrayList<>();
        for (Member m : members.values()) if (m.position >= head) live.add(m);
        handle(records, upTo, live);
        head = upTo;
    }

    /**
     * Runs {@code records} for each of {@code group} (each takes those after its own checkpoint and of its types) and
     * moves every member of the group to {@code upTo}. Batched projections go first: a read model is one transaction
     * for the whole batch, while a reactor may send a command per event, and the members do not depend on one
     * another's progress, so the read models need not wait for the reactors' commands.
     */
    private void handle(List<EventRecord<?>> records, long upTo, List<Member> group) {
        List<Completion.Advance> advances = new ArrayList<>();
        List<Member> advanced = new ArrayList<>();
        List<Member> ordered = new ArrayList<>(group);
        ordered.sort(java.util.Comparator.comparing(m -> !m.processor.batched())); // stable: false (batched) first
        for (Member m : ordered) {
            if (m.position >= upTo) continue;
            List<EventRecord<?>> mine = new ArrayList<>();
            for (EventRecord<?> r : records) {
                if (r.position() > m.position && m.processor.subscribes(r.type())) mine.add(r);
            }
            handled += mine.size();
            try {
                if (mine.isEmpty()) {
                    m.position = upTo;
                    m.dirty = true;
                } else if (m.processor.batched()) {
                    runBatch(m, mine, upTo);
                } else {
                    boolean stored = false;
                    for (EventRecord<?> r : mine) stored = runOne(m, r);
                    m.position = upTo;
                    if (!stored) {
                        advances.add(advance(m, upTo));
                        advanced.add(m);
                    } else {
                        // its last event's command (or parking) stored the checkpoint there; what follows in the
                        // batch is none of its types, and is written with the next flush, as for a member with none
                        m.dirty = mine.getLast().position() < upTo;
                    }
                }
            } catch (jangle.LeaseLostException lost) {
                drop(m.processor.name());
            }
        }
        if (!advances.isEmpty()) commitAdvances(advances, advanced);
    }

    /** A projection's batch and its checkpoint in one transaction (D18); on failure, event by event. */
    private void runBatch(Member m, List<EventRecord<?>> mine, long upTo) {
        Projection<?> projection = m.processor.batchTarget();
        try {
            commit(List.of(advance(m, upTo)), List.of(),
                    tx -> runtime.projectionBatch(projection, mine, tx));
            m.position = upTo;
            m.dirty = false;
            return;
        } catch (jangle.LeaseLostException lost) {
            throw lost;
        } catch (RuntimeException | Error e) {
            DispatchRuntime.LOG.atDebug().addKeyValue("point", "dispatch.batch-failed")
                    .addKeyValue("handler", m.processor.name()).addKeyValue("events", mine.size()).setCause(e)
                    .log("batch failed; running its events one by one");
        }
        for (EventRecord<?> r : mine) {
            Throwable last = null;
            for (int attempt = 1; attempt <= settings.handlerAttempts(); attempt++) {
                if (attempt > 1) backOff(attempt);
                try {
                    commit(List.of(advance(m, r.position())), List.of(),
                            tx -> runtime.projectionBatch(projection, List.of(r), tx));
                    last = null;
                    break;
                } catch (jangle.LeaseLostException lost) {
                    throw lost;
                } catch (RuntimeException | Error e) {
                    last = e;
                }
            }
            if (last != null) park(m, r, last);
            m.position = r.position();
        }
        commit(List.of(advance(m, upTo)), List.of(), Checkpoints.Work.NONE);
        m.position = upTo;
        m.dirty = false;
    }

    /**
     * One event for a handler that runs event by event, with in-line attempts, then parked (D3). Returns whether the
     * member's stored checkpoint is now at {@code r} (its command completed it, D15, or it was parked there).
     */
    private boolean runOne(Member m, EventRecord<?> r) {
        DispatchBinding b = m.processor.byType().get(r.type());
        Completion.Advance completion = advance(m, r.position());
        Throwable last = null;
        for (int attempt = 1; attempt <= settings.handlerAttempts(); attempt++) {
            if (attempt > 1) backOff(attempt);
            switch (runtime.invoke(b, r, completion)) {
                case DispatchRuntime.Invocation.Done done -> {
                    if (done.stored() && runtime.listening()) { // stored by its command (D15)
                        runtime.committed(List.of(completion), List.of());
                    }
                    return done.stored();
                }
                case DispatchRuntime.Invocation.Failed failed -> {
                    last = failed.error();
                    if (last instanceof jangle.LeaseLostException lost) throw lost;
                }
            }
        }
        park(m, r, last);
        return true;
    }

    /** Parks {@code r} for the member and moves its checkpoint to it, in one transaction (D3, D11). */
    private void park(Member m, EventRecord<?> r, Throwable error) {
        int attempts = settings.handlerAttempts();
        boolean dead = attempts >= settings.deadLetterAttempts();
        String text = DispatchRuntime.describe(error);
        commit(List.of(advance(m, r.position())),
                List.of(new Park(new jangle.spi.DeliveryKey(r.eventId(), m.processor.name()), r.position(),
                        r.metadata().correlationId(), attempts, clock.instant(), text, dead, node)),
                Checkpoints.Work.NONE);
        m.position = r.position();
        runtime.parked(m.processor.name(), r, attempts, text, error, dead);
    }

    /**
     * Parks every unreadable event of {@code page} (D14) for each member subscribed to its type, in the members' feed
     * order: the events before it are handled first by the caller, so only that event is left out, and the daemon
     * retries it by id.
     */
    private void parkUnreadable(FeedPage page, long upTo, List<Member> group) {
        for (FeedPage.Unreadable u : page.unreadable()) {
            if (u.position() > upTo) continue;
            for (Member m : group) {
                if (u.position() <= m.position || !m.processor.subscribes(u.type())) continue;
                int attempts = settings.handlerAttempts();
                boolean dead = attempts >= settings.deadLetterAttempts();
                // the checkpoint stays where it is: the events before this one are handled by the caller next
                commit(List.of(), List.of(new Park(new jangle.spi.DeliveryKey(u.eventId(),
                        m.processor.name()), u.position(), u.correlationId(), attempts, clock.instant(), u.error(),
                        dead, node)), Checkpoints.Work.NONE);
                runtime.unreadable(m.processor.name(), u, dead);
            }
        }
    }

    private void commitAdvances(List<Completion.Advance> advances, List<Member> advanced) {
        List<Completion.Advance> todo = new ArrayList<>(advances);
        while (!todo.isEmpty()) {
            try {
                commit(todo, List.of(), Checkpoints.Work.NONE);
                for (Member m : advanced) m.dirty = false;
                return;
            } catch (jangle.LeaseLostException lost) {
                drop(lost.processor());
                todo.removeIf(a -> a.processor().equals(lost.processor()));
                advanced.removeIf(m -> m.processor.name().equals(lost.processor()));
            }
        }
    }

    /** Writes the checkpoints moved in memory only, once a second (or now when {@code force}). */
    private void flushIfDue(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastFlush < FLUSH_NANOS) return;
        lastFlush = now;
        List<Completion.Advance> advances = new ArrayList<>();
        List<Member> dirty = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.dirty && m.position > 0) {
                advances.add(advance(m, m.position));
                dirty.add(m);
            }
        }
        if (!advances.isEmpty()) commitAdvances(advances, dirty);
    }

    /** One transaction of the store's checkpoints; what it committed is then told to the listener. */
    private void commit(List<Completion.Advance> advances, List<Park> parks, Checkpoints.Work work) {
        checkpoints.commit(advances, parks, work);
        runtime.committed(advances, parks);
    }

    private Completion.Advance advance(Member m, long position) {
        return new Completion.Advance(m.processor.name(), segment, Math.max(1, position), node);
    }

    private void drop(String processor) {
        if (members.remove(processor) != null) {
            DispatchRuntime.LOG.atInfo().addKeyValue("point", "dispatch.segment-released")
                    .addKeyValue("processor", processor).addKeyValue("segment", segment)
                    .log("this node no longer runs the segment");
        }
    }

    /** After a failure: every member resumes from its stored checkpoint. */
    private void reloadFromStore() {
        try {
            Map<String, Long> stored = new java.util.HashMap<>();
            for (var c : checkpoints.all()) {
                if (c.segment() == segment && c.segments() == segments) stored.put(c.processor(), c.position());
            }
            for (Member m : members.values()) {
                Long p = stored.get(m.processor.name());
                if (p != null) m.position = p;
                m.dirty = false;
            }
            head = -1;
            for (Member m : members.values()) head = Math.max(head, m.position);
        } catch (RuntimeException e) {
            DispatchRuntime.LOG.atWarn().addKeyValue("point", "dispatch.error").addKeyValue("segment", segment)
                    .setCause(e).log("could not read the checkpoints back; retrying");
        }
    }

    private void pause() {
        try {
            Thread.sleep(Math.max(10, settings.processorPollInterval().toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void backOff(int attempt) {
        try {
            Thread.sleep(Math.min(100, 5L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
