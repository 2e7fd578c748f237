package jangle;

import jangle.memory.InMemoryEventStore;
import jangle.memory.InMemorySagaStore;
import jangle.memory.InMemorySnapshotStore;
import jangle.spi.AppendResult;
import jangle.spi.Completion;
import jangle.spi.NewEvent;
import jangle.spi.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * H10: commands that wait for a busy aggregate's stripe are decided by its holder right after its own command and
 * commit in the holder's append; each keeps its own answer, token, metadata and errors, and a shared append that does
 * not commit sends every follower back to decide on its own.
 */
class HotAggregateCombiningTest {
    private static final long WAIT_SECONDS = 20;

    /** Counts appends; the first one it is told to hold waits until released (its stripe stays taken meanwhile). */
    private static final class GatedEvents extends ForwardingEvents {
        final List<List<NewEvent>> appends = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger hold = new AtomicInteger();
        final AtomicInteger conflictsToThrow = new AtomicInteger();

        GatedEvents() {
            super(new InMemoryEventStore());
        }

        @Override
        public AppendResult append(List<NewEvent> events, Completion completing) {
            if (hold.getAndDecrement() > 0) {
                entered.countDown();
                try {
                    if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) throw new IllegalStateException("not released");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (events.size() > 1 && conflictsToThrow.getAndDecrement() > 0) {
                NewEvent first = events.getFirst();
                throw new VersionConflictException(first.aggregateId(), first.version());
            }
            appends.add(List.copyOf(events));
            return super.append(events, completing);
        }
    }

    private final GatedEvents events = new GatedEvents();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private Jangle j;
    /** An open account (version 1), appends so far forgotten. */
    private String id;

    @BeforeEach
    void openAccount() {
        j = bank(events);
        id = open(j);
        events.appends.clear();
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        j.close();
    }

    private static Jangle bank(GatedEvents events) {
        return Bank.builder().stores(context -> Stores.of(events, new InMemorySnapshotStore(), new InMemorySagaStore()))
                .build();
    }

    /** Opens an account and returns its id. */
    private static String open(Jangle j) {
        return j.send(new Bank.Open("hot")).acceptedData(String.class);
    }

    /** Sends on other threads while the first append holds the stripe; returns once all of them wait for it. */
    private List<Future<CommandResponse>> whileHeld(Command first, List<Command> queued,
                                                    List<SendOptions> options) throws Exception {
        events.hold.set(1);
        List<Future<CommandResponse>> out = new ArrayList<>();
        out.add(pool.submit(() -> j.send(first)));
        assertThat(events.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("first append entered").isTrue();
        List<Thread> waiters = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < queued.size(); i++) {
            Command c = queued.get(i);
            SendOptions o = options.get(i);
            CountDownLatch started = new CountDownLatch(1);
            out.add(pool.submit(() -> {
                waiters.add(Thread.currentThread());
                started.countDown();
                return j.send(c, o);
            }));
            assertThat(started.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            awaitParked(waiters.getLast()); // queued in arrival order
        }
        return out;
    }

    private static List<SendOptions> withIds(List<UUID> ids) {
        return ids.stream().map(SendOptions.NONE::withCommandId).toList();
    }

    /** Until {@code t} waits for the stripe itself (not parked anywhere else on its way there). */
    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!waitsForStripe(t)) {
            assertThat(System.nanoTime() < deadline).as("sender parked on the stripe").isTrue();
            Thread.sleep(1);
        }
    }

    private static boolean waitsForStripe(Thread t) {
        if (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) return false;
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(AggregateStripes.Stripe.class.getName())) return true;
        }
        return false;
    }

    @Test
    @Tag("H10")
    @DisplayName("H10: commands queued behind a hot aggregate's holder share the next append, each with its own answer, token and metadata")
    void queuedCommandsShareOneAppend() throws Exception {
        List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        List<Future<CommandResponse>> sent = whileHeld(new Bank.Deposit(id, new BigDecimal("10")),
                List.of(new Bank.Deposit(id, new BigDecimal("5")), new Bank.Withdraw(id, new BigDecimal("500")),
                        new Bank.Withdraw(id, new BigDecimal("15"))), withIds(ids));
        events.release.countDown();
        List<CommandResponse> answers = new ArrayList<>();
        for (Future<CommandResponse> f : sent) answers.add(f.get(WAIT_SECONDS, TimeUnit.SECONDS));

        // the first append ran alone (it was under way); the next holder took the two others with its own
        assertThat(events.appends).hasSize(2);
        assertThat(events.appends.get(0)).extracting(NewEvent::version).containsExactly(2L);
        assertThat(events.appends.get(1)).extracting(NewEvent::version).containsExactly(3L, 4L);
        assertThat(answers.get(0).isAccepted()).isTrue();
        assertThat(answers.get(1).token().version()).isEqualTo(3);
        // decided on 10 + 5 = 15: 500 would break the floor of -100, so it is refused, at version 3
        assertThat(answers.get(2)).isInstanceOf(CommandResponse.Rejected.class);
        assertThat(((CommandResponse.Rejected) answers.get(2)).reason()).isEqualTo("Insufficient funds");
        assertThat(answers.get(2).token().version()).isEqualTo(3);
        assertThat(answers.get(3).token().version()).isEqualTo(4);
        assertThat(answers.get(3).token().position()).isEqualTo(j.stores().events().lastPosition());
        // each event is its own command's: causation is that command's id
        NewEvent third = events.appends.get(1).get(0);
        NewEvent fourth = events.appends.get(1).get(1);
        assertThat(third.metadata().causationId()).isEqualTo(ids.get(0));
        assertThat(fourth.metadata().causationId()).isEqualTo(ids.get(2));
        assertThat(fourth.event()).isEqualTo(new Bank.Withdrawn(new BigDecimal("15")));

        CommandCounts counts = j.operations().commandCounts();
        assertThat(counts.accepted()).isEqualTo(4); // the open, the first deposit and the two that committed
        assertThat(counts.rejected()).isEqualTo(1);
        assertThat(counts.conflicts()).isZero();
        // the cached aggregate is the committed one: the next command sees 0 (10 + 5 - 15)
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("100"))).isAccepted()).isTrue();
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("0.01"))))
                .isInstanceOf(CommandResponse.Rejected.class);
    }

    @Test
    @Tag("H10")
    @Tag("H9")
    @DisplayName("H10 H9: a command that cannot be shared (an expected version) keeps its place: nothing of its aggregate queued after it is decided before it")
    void unshareableCommandKeepsItsPlace() throws Exception {
        List<Future<CommandResponse>> sent = whileHeld(new Bank.Deposit(id, new BigDecimal("1")), // version 2, held
                List.of(new Bank.Deposit(id, new BigDecimal("2")), // version 3
                        new Bank.Deposit(id, new BigDecimal("3")), // expects 3: must come next
                        new Bank.Deposit(id, new BigDecimal("4"))),
                List.of(SendOptions.NONE, SendOptions.expectVersion(3), SendOptions.NONE));
        events.release.countDown();
        List<CommandResponse> answers = new ArrayList<>();
        for (Future<CommandResponse> f : sent) answers.add(f.get(WAIT_SECONDS, TimeUnit.SECONDS));

        assertThat(answers).allMatch(CommandResponse::isAccepted);
        assertThat(answers.get(2).token().version()).isEqualTo(4);
        assertThat(answers.get(3).token().version()).isEqualTo(5);
        // the holder after the held one could not take the deposit of 4 past the expected-version one
        assertThat(events.appends.get(1)).extracting(NewEvent::version).containsExactly(3L);
    }

    @Test
    @Tag("H10")
    @DisplayName("H10: with commandSharing off each queued command decides and appends on its own turn; a bad JANGLE_COMMAND_SHARING is refused by name")
    void sharingCanBeTurnedOff() throws Exception {
        j.close();
        j = Bank.builder().commandSharing(false)
                .stores(context -> Stores.of(events, new InMemorySnapshotStore(), new InMemorySagaStore())).build();
        assertThat(j.settings().commandSharing()).isFalse();
        id = open(j);
        events.appends.clear();
        List<Future<CommandResponse>> sent = whileHeld(new Bank.Deposit(id, new BigDecimal("1")),
                List.of(new Bank.Deposit(id, new BigDecimal("2")), new Bank.Deposit(id, new BigDecimal("3"))),
                List.of(SendOptions.NONE, SendOptions.NONE));
        events.release.countDown();
        for (Future<CommandResponse> f : sent) assertThat(f.get(WAIT_SECONDS, TimeUnit.SECONDS).isAccepted()).isTrue();
        assertThat(events.appends).hasSize(3).allSatisfy(a -> assertThat(a).hasSize(1));
        assertThat(j.stores().events().lastVersion(id)).isEqualTo(4);

        try (Jangle fromEnvironment = Bank.builder().environment(java.util.Map.of("JANGLE_COMMAND_SHARING", "false"))
                .build()) {
            assertThat(fromEnvironment.settings().commandSharing()).isFalse();
        }
        assertThatThrownBy(() -> Bank.builder().environment(java.util.Map.of("JANGLE_COMMAND_SHARING", "maybe")).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("JANGLE_COMMAND_SHARING")
                .hasMessageContaining("must be true or false");
    }

    @Test
    @Tag("H10")
    @DisplayName("H10: a shared append that conflicts sends its followers back; each decides again on its own, nothing is lost")
    void conflictingSharedAppendHandsFollowersBack() throws Exception {
        events.conflictsToThrow.set(1); // the first shared append is refused as if another node had written
        List<Future<CommandResponse>> sent = whileHeld(new Bank.Deposit(id, new BigDecimal("1")),
                List.of(new Bank.Deposit(id, new BigDecimal("2")), new Bank.Deposit(id, new BigDecimal("3"))),
                withIds(List.of(UUID.randomUUID(), UUID.randomUUID())));
        events.release.countDown();
        for (Future<CommandResponse> f : sent) assertThat(f.get(WAIT_SECONDS, TimeUnit.SECONDS).isAccepted()).isTrue();

        assertThat(j.stores().events().lastVersion(id)).isEqualTo(4);
        List<BigDecimal> amounts = new ArrayList<>();
        try (var s = j.stores().events().read(id, 1)) {
            s.forEach(r -> amounts.add(((Bank.Deposited) r.event()).amount()));
        }
        assertThat(amounts).containsExactlyInAnyOrder(new BigDecimal("1"), new BigDecimal("2"),
                new BigDecimal("3"));
        assertThat(j.operations().commandCounts().conflicts()).isEqualTo(1);
    }

    @Test
    @Tag("H10")
    @DisplayName("H10: a follower whose validator throws gets its own AggregateException; the others commit")
    void throwingFollowerFailsAlone() throws Exception {
        List<Future<CommandResponse>> sent = whileHeld(new Bank.Deposit(id, new BigDecimal("1")),
                List.of(new Bank.Explode(id), new Bank.Deposit(id, new BigDecimal("2"))),
                withIds(List.of(UUID.randomUUID(), UUID.randomUUID())));
        events.release.countDown();
        assertThat(sent.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS).isAccepted()).isTrue();
        assertThatThrownBy(() -> sent.get(1).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .hasCauseInstanceOf(AggregateException.class).hasMessageContaining("boom");
        assertThat(sent.get(2).get(WAIT_SECONDS, TimeUnit.SECONDS).token().version()).isEqualTo(3);
        assertThat(j.stores().events().lastVersion(id)).isEqualTo(3);
    }

    @Test
    @Tag("H10")
    @DisplayName("H10: many senders on one aggregate: every command answered once, versions without gaps, balance exact")
    void manySendersOneAggregate() throws Exception {
        int threads = 4;
        int perThread = 500;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                go.await();
                List<Long> versions = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    versions.add(j.send(new Bank.Deposit(id, BigDecimal.ONE)).token().version());
                }
                return versions;
            }));
        }
        go.countDown();
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) all.addAll(f.get(60, TimeUnit.SECONDS));

        int commands = threads * perThread;
        assertThat(all).as("one distinct version per command").doesNotHaveDuplicates().hasSize(commands);
        assertThat(j.stores().events().lastVersion(id)).isEqualTo(commands + 1L);
        int appended = 0;
        for (List<NewEvent> a : events.appends) appended += a.size();
        assertThat(appended).isEqualTo(commands);
        assertThat(j.operations().commandCounts().conflicts()).isZero();
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal(commands + 100)))).isInstanceOf(
                CommandResponse.Accepted.class);
        assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("0.01")))).isInstanceOf(
                CommandResponse.Rejected.class);
    }

    @Test
    @Tag("H10")
    @DisplayName("H10: an aggregate with a reconstitutor that reads the envelope never shares an append")
    void envelopeReadersAreNotCombined() {
        List<String> problems = new ArrayList<>();
        assertThat(AggregateBinding.bind(Bank.Account.class, problems).payloadOnly()).isTrue();
        assertThat(AggregateBinding.bind(Enveloped.class, problems).payloadOnly()).isFalse();
        assertThat(problems).isEmpty();
    }

    /** Reads the position of its events: it could not be decided on events that have none yet. */
    static final class Enveloped extends Aggregate {
        long lastPosition;

        Enveloped(String id) {
            super(id);
        }

        @ValidateCommand
        void deposit(Bank.Deposit c) {
            post(new Bank.Deposited(c.amount()));
        }

        @ReconstituteState
        void on(Bank.Deposited e, EventRecord<?> record) {
            lastPosition = record.position();
        }
    }
}
