package jangle.test;

import jangle.EventRecord;
import jangle.TypeRegistry;
import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.AppendResult;
import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Delivery;
import jangle.spi.DispatchLedger;
import jangle.spi.EventStore;
import jangle.spi.FeedFilter;
import jangle.spi.FeedPage;
import jangle.spi.NewEvent;
import jangle.spi.Park;
import jangle.spi.SagaState;
import jangle.spi.SagaStore;
import jangle.spi.Snapshot;
import jangle.spi.SnapshotStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * The contract suites can fail: each runs against a store with one bug of the original (§19) or one broken rule, and
 * the test for that rule must fail, while the correct in-memory stores pass the same tests (InMemory*ContractTest).
 */
class ContractSuitesCatchBrokenStoresTest {

    /** Runs the named inherited contract tests of {@code suite}; returns the names of those that failed. */
    private static Set<String> failures(Class<?> suite, String... methods) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String m : methods) request.selectors(selectMethod(suite, m));
        LauncherDiscoveryRequest built = request.build();
        Set<String> failed = new TreeSet<>();
        List<String> ran = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(built, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) return;
                String name = id.getSource().filter(MethodSource.class::isInstance)
                        .map(s -> ((MethodSource) s).getMethodName()).orElse(id.getDisplayName());
                ran.add(name);
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) failed.add(name);
            }
        });
        assertThat(ran).as("contract tests run").containsExactlyInAnyOrder(methods);
        return failed;
    }

    @Test
    @Tag("D9")
    @DisplayName("D9, §19 bug 19: the event store suite fails a ledger whose max-age filter has the wrong sign")
    void catchesWrongDueSign() {
        assertThat(failures(WrongDueSign.class, "dueMaxAgeSign", "roundTrip")).containsExactly("dueMaxAgeSign");
    }

    @Test
    @Tag("ST3")
    @DisplayName("ST3: the event store suite fails an append that writes event by event")
    void catchesNonAtomicAppend() {
        assertThat(failures(NonAtomicAppend.class, "failedAppendLeavesNoTrace", "gaplessVersions", "readEvent"))
                .containsExactlyInAnyOrder("failedAppendLeavesNoTrace", "gaplessVersions");
    }

    @Test
    @Tag("ST1")
    @DisplayName("ST1, §19 bug 22: the event store suite fails stream reads without an order")
    void catchesUnorderedReads() {
        assertThat(failures(UnorderedReads.class, "readOrdering", "longStream", "emptyStore"))
                .containsExactlyInAnyOrder("readOrdering", "longStream");
    }

    @Test
    @Tag("G1")
    @DisplayName("G1: the event store suite fails a feed that skips events")
    void catchesSkippingFeed() {
        // Only the paging test is deterministic here: the concurrent ones catch this store only when the reader
        // polls while writers are still appending, which a loaded machine may not schedule.
        assertThat(failures(SkippingFeed.class, "readFeedPages", "dueMaxAgeSign"))
                .containsExactly("readFeedPages");
    }

    @Test
    @Tag("G4")
    @DisplayName("G4: the held-append path of the suite passes for a store that serialises position and commit "
            + "(technique a)")
    void heldAppendPassesSerialisingStore() {
        assertThat(failures(SerialisingHeldStore.class, "lateCommitIsNeverSkipped")).isEmpty();
    }

    @Test
    @Tag("G1")
    @Tag("G4")
    @DisplayName("G4, G1: the held-append path of the suite fails a store whose feed lets a late commit appear below "
            + "positions already read")
    void heldAppendCatchesLateCommitSkip() {
        assertThat(failures(LateCommitSkippingStore.class, "lateCommitIsNeverSkipped"))
                .containsExactly("lateCommitIsNeverSkipped");
    }

    @Test
    @Tag("SG8")
    @DisplayName("SG8, §19 bug 23: the saga store suite fails dueIds that ignores its limit")
    void catchesIgnoredLimit() {
        assertThat(failures(IgnoredDueLimit.class, "dueIds", "roundTrip")).containsExactly("dueIds");
    }

    @Test
    @Tag("SG7")
    @DisplayName("SG7, §19 bug 17: the saga store suite fails a store that reads complete from the timeout")
    void catchesCompleteFromTimeout() {
        assertThat(failures(CompleteFromTimeout.class, "completeIsNotTheTimeout", "missing"))
                .containsExactly("completeIsNotTheTimeout");
    }

    @Test
    @Tag("S8")
    @DisplayName("S8, §19 bug 21: the snapshot store suite fails an unconditional overwrite")
    void catchesSnapshotOverwrite() {
        assertThat(failures(OverwritingSnapshots.class, "olderPutIgnored", "newerOverwrites"))
                .containsExactly("olderPutIgnored");
    }

    @Test
    @Tag("S7")
    @DisplayName("S7, §19 bug 4: the snapshot store suite fails a store that drops empty states")
    void catchesDroppedEmptyState() {
        assertThat(failures(DroppingEmptyStates.class, "emptyStateRecord", "roundTrip"))
                .containsExactly("emptyStateRecord");
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: the event store suite fails checkpoint advances that are not fenced (a non-owner's advance is "
            + "written)")
    void catchesUnfencedAdvance() {
        assertThat(failures(UnfencedAdvance.class, "commitByNonOwnerIsRefused", "appendWithAdvanceIsFenced",
                "commitRunsWorkAndAdvances")).containsExactlyInAnyOrder("commitByNonOwnerIsRefused",
                "appendWithAdvanceIsFenced");
    }

    @Test
    @Tag("D18")
    @DisplayName("D18: the event store suite fails a commit that writes its parks and checkpoints when the work throws")
    void catchesCommitDespiteThrowingWork() {
        assertThat(failures(CommitDespiteThrowingWork.class, "commitWithThrowingWorkWritesNothing",
                "commitRunsWorkAndAdvances")).containsExactly("commitWithThrowingWorkWritesNothing");
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: the event store suite fails a claim that hands a held, unexpired segment to a second owner")
    void catchesClaimOfLiveLease() {
        assertThat(failures(ClaimIgnoringLeases.class, "claimTargetRenewalTakeover",
                "concurrentClaimsNeverShareASegment", "registerBeginningHeadIdempotent"))
                .containsExactlyInAnyOrder("claimTargetRenewalTakeover", "concurrentClaimsNeverShareASegment");
    }

    @Test
    @Tag("D17")
    @Tag("G1")
    @DisplayName("D17, G1: the event store suite fails a filtered feed read that drops an event the filter accepts")
    void catchesFilterDroppingMatches() {
        assertThat(failures(FilterDroppingMatches.class, "segmentsPartitionTheFeed", "typeFilter",
                "filteredReaderNeverSkips", "correlatedEvents"))
                .containsExactlyInAnyOrder("segmentsPartitionTheFeed", "typeFilter", "filteredReaderNeverSkips");
    }

    @Test
    @Tag("D17")
    @DisplayName("D17: the event store suite fails a filtered feed read whose scannedTo stays put when nothing passes")
    void catchesStuckScannedTo() {
        assertThat(failures(StuckScannedTo.class, "scannedToMovesOnWhenNothingPasses", "correlatedEvents"))
                .containsExactly("scannedToMovesOnWhenNothingPasses");
    }

    @Test
    @Tag("D15")
    @DisplayName("D15: the event store suite fails an append that ignores its Resolve completion")
    void catchesIgnoredResolve() {
        assertThat(failures(IgnoredResolve.class, "resolveDeletesParkedRow", "appendWithAdvanceIsFenced"))
                .containsExactly("resolveDeletesParkedRow");
    }

    @Test
    @Tag("D12")
    @Tag("D21")
    @DisplayName("D12, D21: the event store suite fails a reset that leaves the segments with their holders")
    void catchesIncompleteReset() {
        assertThat(failures(IncompleteReset.class, "resetMovesFreesAndUnparks", "releaseAllFreesOwnSegments"))
                .containsExactly("resetMovesFreesAndUnparks");
    }

    @Test
    @Tag("D11")
    @DisplayName("D11: the event store suite fails parks that are always written as pending")
    void catchesParksNeverDead() {
        assertThat(failures(ParksNeverDead.class, "parkWritesRowWithEventFacts", "dueMaxAgeSign"))
                .containsExactly("parkWritesRowWithEventFacts");
    }

    @Test
    @Tag("D18")
    @DisplayName("D18: with a transaction probe the suite passes a store whose commit rolls its work back, and fails "
            + "one that keeps the work's writes when the work throws")
    void transactionProbeSeesWorkRollBack() {
        String[] tests = {"commitWithThrowingWorkWritesNothing", "commitByNonOwnerIsRefused"};
        assertThat(failures(ProbedStore.class, tests)).isEmpty();
        assertThat(failures(ProbedStoreKeepingWork.class, tests))
                .containsExactly("commitWithThrowingWorkWritesNothing");
    }

    // ======================= broken stores (nested: surefire does not run them by itself) =======================

    /** Forwards everything to an in-memory store ({@code d}); subclasses break one thing. */
    static class Delegating extends ForwardingEventStore {
        final InMemoryEventStore d;

        Delegating() {
            this(new InMemoryEventStore());
        }

        private Delegating(InMemoryEventStore d) {
            super(d);
            this.d = d;
        }
    }

    static class WrongDueSign extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                @Override
                public DispatchLedger ledger() {
                    return new ForwardingDispatchLedger(d.ledger()) {
                        @Override
                        public List<Delivery> due(Instant now, Duration maxAge, int limit) {
                            return delegate.due(now.plus(maxAge), Duration.ZERO, limit); // the original's sign
                        }
                    };
                }
            };
        }
    }

    static class NonAtomicAppend extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                @Override
                public AppendResult append(List<NewEvent> events, Completion completing) {
                    List<EventRecord<?>> out = new ArrayList<>();
                    for (NewEvent e : events) out.addAll(d.append(List.of(e), null).records());
                    switch (completing) {
                        case null -> { }
                        case Completion.Resolve r -> d.markDone(List.of(r.parked()));
                        case Completion.Advance a -> d.checkpoints().commit(List.of(a), List.of(), Checkpoints.Work.NONE);
                    }
                    return new AppendResult(out);
                }
            };
        }
    }

    static class UnorderedReads extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                @Override
                public Stream<EventRecord<?>> read(String aggregateId, long afterVersion) {
                    List<EventRecord<?>> all;
                    try (Stream<EventRecord<?>> s = d.read(aggregateId, afterVersion)) {
                        all = new ArrayList<>(s.toList());
                    }
                    if (all.size() > 1) { // storage order: the last event first
                        all.add(0, all.remove(all.size() - 1));
                    }
                    return all.stream();
                }
            };
        }
    }

    static class SkippingFeed extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                @Override
                public List<EventRecord<?>> readFeed(long afterPosition, int limit) {
                    return d.readFeed(afterPosition > 0 ? afterPosition + 1 : 0, limit); // loses one event per page
                }
            };
        }
    }

    /** Technique (a) of G3: one lock from taking positions to commit; the hook holds it between the two. */
    static class SerialisingHeldStore extends EventStoreContract {
        static final class Store extends Delegating {
            final ReentrantLock commitLock = new ReentrantLock();

            @Override
            public AppendResult append(List<NewEvent> events, Completion completing) {
                commitLock.lock();
                try {
                    return d.append(events, completing);
                } finally {
                    commitLock.unlock();
                }
            }
        }

        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Store();
        }

        @Override
        protected HeldAppend holdAppend(EventStore store, List<NewEvent> events) {
            Store s = (Store) store;
            return hold(() -> s.commitLock.lock(), () -> {
                try {
                    s.d.append(events);
                } finally {
                    s.commitLock.unlock();
                }
            });
        }
    }

    /** Positions taken when an append starts, visible when it commits, and a reader that trusts them: the bug G4 names. */
    static class LateCommitSkippingStore extends EventStoreContract {
        static final class Store extends Delegating {
            private final AtomicLong next = new AtomicLong();
            private final ConcurrentSkipListMap<Long, EventRecord<?>> feed = new ConcurrentSkipListMap<>();

            long reserve(int n) {
                return next.getAndAdd(n) + 1;
            }

            AppendResult appendAt(List<NewEvent> events, long first) {
                List<EventRecord<?>> out = new ArrayList<>();
                long p = first;
                for (EventRecord<?> r : d.append(events).records()) {
                    EventRecord<?> moved = new EventRecord<>(r.eventId(), r.aggregateId(), r.version(), r.type(),
                            r.schemaVersion(), r.createdAt(), p++, r.metadata(), r.event());
                    feed.put(moved.position(), moved);
                    out.add(moved);
                }
                return new AppendResult(out);
            }

            @Override
            public AppendResult append(List<NewEvent> events, Completion completing) {
                return appendAt(events, reserve(events.size()));
            }

            @Override
            public List<EventRecord<?>> readFeed(long afterPosition, int limit) {
                return feed.tailMap(afterPosition, false).values().stream().limit(limit).toList();
            }

            @Override
            public long lastPosition() {
                return feed.isEmpty() ? 0 : feed.lastKey();
            }
        }

        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Store();
        }

        @Override
        protected HeldAppend holdAppend(EventStore store, List<NewEvent> events) {
            Store s = (Store) store;
            long[] first = new long[1];
            return hold(() -> first[0] = s.reserve(events.size()), () -> s.appendAt(events, first[0]));
        }
    }

    /** Runs {@code take} then, once committed, {@code commit} on a thread of its own, as {@link EventStoreContract.HeldAppend}. */
    static EventStoreContract.HeldAppend hold(Runnable take, Runnable commit) {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                take.run();
                taken.countDown();
                go.await();
                commit.run();
                done.complete(null);
            } catch (Throwable t) {
                taken.countDown();
                done.completeExceptionally(t);
            }
        });
        return new EventStoreContract.HeldAppend() {
            @Override
            public void awaitPositionsTaken() throws Exception {
                assertThat(taken.await(60, TimeUnit.SECONDS)).isTrue();
            }

            @Override
            public void commit() throws Exception {
                go.countDown();
                done.get(60, TimeUnit.SECONDS);
            }
        };
    }

    /** Forwards to an in-memory store whose checkpoints are replaced by {@link #broken(Checkpoints)}. */
    abstract static class BrokenCheckpoints extends EventStoreContract {
        abstract Checkpoints broken(Checkpoints real);

        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                private final Checkpoints broken = BrokenCheckpoints.this.broken(d.checkpoints());

                @Override
                public Checkpoints checkpoints() {
                    return broken;
                }
            };
        }
    }

    /** The current holder of a segment, or the given owner when it is free. */
    static Completion.Advance asHolder(Checkpoints real, Completion.Advance a) {
        for (Checkpoint c : real.all()) {
            if (c.processor().equals(a.processor()) && c.segment() == a.segment() && c.owner().isPresent()) {
                return new Completion.Advance(a.processor(), a.segment(), a.position(), c.owner().get());
            }
        }
        return a;
    }

    /** Writes every advance as if its node held the segment: the fence is gone, on commits and on appends. */
    static class UnfencedAdvance extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                private final Checkpoints unfenced = new ForwardingCheckpoints(d.checkpoints()) {
                    @Override
                    public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
                        delegate.commit(advances.stream().map(a -> asHolder(delegate, a)).toList(), parks, work);
                    }
                };

                @Override
                public Checkpoints checkpoints() {
                    return unfenced;
                }

                @Override
                public AppendResult append(List<NewEvent> events, Completion completing) {
                    Completion c = completing instanceof Completion.Advance a ? asHolder(d.checkpoints(), a) : completing;
                    return d.append(events, c);
                }
            };
        }
    }

    /** Writes the parks and advances of a commit whose work failed, then rethrows the work's failure. */
    static class CommitDespiteThrowingWork extends BrokenCheckpoints {
        @Override
        Checkpoints broken(Checkpoints real) {
            return new ForwardingCheckpoints(real) {
                @Override
                public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
                    try {
                        delegate.commit(advances, parks, work);
                    } catch (RuntimeException workFailed) {
                        delegate.commit(advances, parks, Work.NONE);
                        throw workFailed;
                    }
                }
            };
        }
    }

    /** Claims as if every other owner's lease had run out, then renews what it took at the true time. */
    static class ClaimIgnoringLeases extends BrokenCheckpoints {
        @Override
        Checkpoints broken(Checkpoints real) {
            return new ForwardingCheckpoints(real) {
                @Override
                public List<Checkpoint> claim(String processor, String owner, Instant now, Duration lease,
                                              int target) {
                    delegate.claim(processor, owner, now.plus(Duration.ofDays(365)), lease, target);
                    return delegate.claim(processor, owner, now, lease, target);
                }
            };
        }
    }

    /** A filtered feed read that loses every accepted event at a position divisible by five. */
    static class FilterDroppingMatches extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                @Override
                public FeedPage readFeed(long afterPosition, int limit, FeedFilter filter) {
                    FeedPage page = d.readFeed(afterPosition, limit, filter);
                    return new FeedPage(page.records().stream().filter(r -> r.position() % 5 != 0).toList(),
                            page.scannedTo());
                }
            };
        }
    }

    /** A filtered feed read that reports scannedTo as the reader's own position when no event passed. */
    static class StuckScannedTo extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                @Override
                public FeedPage readFeed(long afterPosition, int limit, FeedFilter filter) {
                    FeedPage page = d.readFeed(afterPosition, limit, filter);
                    return page.records().isEmpty() ? new FeedPage(List.of(), afterPosition) : page;
                }
            };
        }
    }

    /** Appends the events but drops a Resolve completion. */
    static class IgnoredResolve extends EventStoreContract {
        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                @Override
                public AppendResult append(List<NewEvent> events, Completion completing) {
                    return d.append(events, completing instanceof Completion.Resolve ? null : completing);
                }
            };
        }
    }

    /** Moves the position and drops the parked rows above it, but hands the segments straight back to their holders. */
    static class IncompleteReset extends BrokenCheckpoints {
        @Override
        Checkpoints broken(Checkpoints real) {
            return new ForwardingCheckpoints(real) {
                @Override
                public int reset(String processor, long position) {
                    Map<String, Integer> held = new java.util.TreeMap<>();
                    Map<String, Instant> until = new java.util.TreeMap<>();
                    for (Checkpoint c : delegate.all()) {
                        if (c.processor().equals(processor) && c.owner().isPresent()) {
                            held.merge(c.owner().get(), 1, Integer::sum);
                            until.put(c.owner().get(), c.leaseUntil());
                        }
                    }
                    int changed = delegate.reset(processor, position);
                    held.forEach((owner, n) -> delegate.claim(processor, owner,
                            until.get(owner).minusSeconds(1), Duration.ofSeconds(1), n));
                    return changed;
                }
            };
        }
    }

    /** Writes every park as pending, whatever it says. */
    static class ParksNeverDead extends BrokenCheckpoints {
        @Override
        Checkpoints broken(Checkpoints real) {
            return new ForwardingCheckpoints(real) {
                @Override
                public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
                    delegate.commit(advances, parks.stream().map(p -> new Park(p.key(), p.position(),
                            p.correlationId(), p.attempts(), p.failedAt(), p.error(), false, p.owner())).toList(), work);
                }
            };
        }
    }

    /** A transaction lent to commit work: marks written through it count only once the commit went through. */
    static final class MarkTransaction implements jangle.spi.StoreTransaction {
        final Set<String> pending = new TreeSet<>();

        @Override
        public <T> Optional<T> unwrap(Class<T> type) {
            return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
        }
    }

    /** The in-memory store with a lent {@link MarkTransaction} and a probe on it; {@code keepOnFailure} breaks it. */
    static class ProbedStore extends EventStoreContract {
        final Set<String> committed = java.util.concurrent.ConcurrentHashMap.newKeySet();

        boolean keepOnFailure() {
            return false;
        }

        @Override
        protected EventStore createStore(TypeRegistry types) {
            return new Delegating() {
                private final Checkpoints lending = new ForwardingCheckpoints(d.checkpoints()) {
                    @Override
                    public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
                        MarkTransaction tx = new MarkTransaction();
                        boolean done = false;
                        try {
                            delegate.commit(advances, parks, ignored -> work.run(tx));
                            done = true;
                        } finally {
                            if (done || keepOnFailure()) committed.addAll(tx.pending);
                        }
                    }
                };

                @Override
                public Checkpoints checkpoints() {
                    return lending;
                }
            };
        }

        @Override
        protected TransactionProbe transactionProbe(EventStore store) {
            return new TransactionProbe() {
                @Override
                public void write(jangle.spi.StoreTransaction tx, String mark) {
                    tx.unwrap(MarkTransaction.class).orElseThrow().pending.add(mark);
                }

                @Override
                public boolean written(String mark) {
                    return committed.contains(mark);
                }
            };
        }
    }

    static class ProbedStoreKeepingWork extends ProbedStore {
        @Override
        boolean keepOnFailure() {
            return true;
        }
    }

    static class IgnoredDueLimit extends SagaStoreContract {
        @Override
        protected SagaStore createStore(TypeRegistry types) {
            InMemorySagaStore d = new InMemorySagaStore();
            return new ForwardingSagaStore(d) {
                @Override
                public List<String> dueIds(Instant now, int limit) {
                    return d.dueIds(now, Integer.MAX_VALUE);
                }
            };
        }
    }

    static class CompleteFromTimeout extends SagaStoreContract {
        @Override
        protected SagaStore createStore(TypeRegistry types) {
            InMemorySagaStore d = new InMemorySagaStore();
            return new ForwardingSagaStore(d) {
                @Override
                public Optional<SagaState> get(String sagaId) {
                    return d.get(sagaId).map(s -> new SagaState(s.sagaId(), s.sagaType(), s.version(), s.retryAt(),
                            s.timeoutAt(), s.timeoutAt() != null, s.timedOut(), s.wakeAt(), s.events()));
                }
            };
        }
    }

    static class OverwritingSnapshots extends SnapshotStoreContract {
        @Override
        protected SnapshotStore createStore(TypeRegistry types) {
            InMemorySnapshotStore d = new InMemorySnapshotStore();
            return new ForwardingSnapshotStore(d) {
                @Override
                public void put(Snapshot snapshot) {
                    d.delete(snapshot.aggregateId());
                    d.put(snapshot);
                }
            };
        }
    }

    static class DroppingEmptyStates extends SnapshotStoreContract {
        @Override
        protected SnapshotStore createStore(TypeRegistry types) {
            InMemorySnapshotStore d = new InMemorySnapshotStore();
            return new ForwardingSnapshotStore(d) {
                @Override
                public void put(Snapshot snapshot) {
                    if (snapshot.state().getClass().getRecordComponents().length > 0) d.put(snapshot);
                }
            };
        }
    }
}
