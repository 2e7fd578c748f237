package jangle.banking;

import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventHandler;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.ProcessorStatus;
import jangle.memory.InMemoryStores;
import jangle.spi.FeedFilter;
import jangle.spi.SagaState;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The banking domain in a real {@link Jangle} on in-memory stores, with a hand-moved clock. Dispatch is not started,
 * so everything runs on the test's thread and tests are deterministic: {@link #settle()} runs the processors to the
 * head of the feed and retries parked deliveries until neither has work left (D17, D3); {@link #sagaPassAfter} runs
 * the saga daemon once.
 */
final class Bank implements AutoCloseable {
    final TestClock clock = new TestClock();
    final Jangle jangle;

    Bank() {
        this(b -> b);
    }

    Bank(UnaryOperator<JangleBuilder> extra) {
        this(extra, null);
    }

    /** With {@code mediator} as the body of the transfer mediator (null: the real one). */
    Bank(UnaryOperator<JangleBuilder> extra, EventHandler<TransferDebited> mediator) {
        JangleBuilder b = Jangle.builder().clock(clock).environment(Map.of()).stores(new InMemoryStores());
        b = mediator == null ? BankingDomain.register(b) : BankingDomain.register(b, mediator);
        this.jangle = extra.apply(b).build();
    }

    CommandResponse send(Command c) {
        return jangle.send(c);
    }

    /** Sends and requires acceptance. */
    CommandResponse ok(Command c) {
        CommandResponse r = jangle.send(c);
        if (!r.isAccepted()) throw new AssertionError(c + " was rejected: " + r.rejectionReason());
        return r;
    }

    /** Opens an account with an optional initial deposit and returns its id. */
    String open(String name, String deposit) {
        return ok(new CreateAccount(name, deposit == null ? null : new BigDecimal(deposit), null)).acceptedData(String.class);
    }

    /**
     * Runs every processor from its checkpoint to the head of the feed, then one catch-up pass over the parked
     * deliveries (whatever their age), until both find nothing to do. Handlers' commands append events that the next
     * round handles; a delivery that keeps failing ends as a dead letter after the configured attempts, so this is
     * bounded. Fails with the parked deliveries and the processors still behind when it does not settle.
     */
    void settle() {
        for (int i = 0; i < 200; i++) {
            int handled = jangle.operations().runProcessorsPass();
            int retried = jangle.operations().runCatchUpPass();
            if (handled == 0 && retried == 0) return;
        }
        throw new AssertionError("dispatch did not settle after 200 rounds; parked: "
                + jangle.operations().pending(null, 10) + "; behind: " + jangle.operations().processors().stream()
                .filter(p -> p.lagEvents() > 0).toList());
    }

    /** Runs the processors once to the head of the feed (no retry of parked deliveries); returns handler calls. */
    int processorsPass() {
        return jangle.operations().runProcessorsPass();
    }

    /** The stored checkpoint of {@code processor} in the segment that holds {@code record}'s aggregate (D17). */
    long checkpoint(String processor, EventRecord<?> record) {
        List<ProcessorStatus> segments = jangle.operations().processors().stream()
                .filter(p -> p.processor().equals(processor)).toList();
        if (segments.isEmpty()) throw new AssertionError("no processor " + processor);
        int segment = FeedFilter.segmentOf(record.aggregateId(), segments.getFirst().segments());
        return segments.stream().filter(p -> p.segment() == segment).findFirst()
                .orElseThrow(() -> new AssertionError(processor + " has no segment " + segment)).position();
    }

    /** Moves the clock by {@code d}, runs one saga daemon pass, then settles. Returns sagas evaluated. */
    int sagaPassAfter(Duration d) {
        clock.advance(d);
        int n = jangle.operations().runSagaDaemonPass();
        settle();
        return n;
    }

    /** Every committed event, in feed order. */
    List<EventRecord<?>> feed() {
        return feedAfter(0);
    }

    List<EventRecord<?>> feedAfter(long position) {
        List<EventRecord<?>> all = new ArrayList<>();
        long after = position;
        while (true) {
            List<EventRecord<?>> page = jangle.stores().events().readFeed(after, 1000);
            if (page.isEmpty()) return all;
            all.addAll(page);
            after = page.getLast().position();
        }
    }

    long lastPosition() {
        return jangle.stores().events().lastPosition();
    }

    /** The payloads of one stream, in version order. */
    List<Event> stream(String aggregateId) {
        try (Stream<EventRecord<?>> s = jangle.stores().events().read(aggregateId, 0)) {
            return s.<Event>map(EventRecord::event).toList();
        }
    }

    BigDecimal balance(String accountId) {
        return BankInvariants.of(feed()).balances().getOrDefault(accountId, Money.ZERO);
    }

    BankInvariants.Report invariants() {
        return BankInvariants.of(feed());
    }

    SagaState saga(String fundedAccountId, String tx) {
        return jangle.stores().sagas().get(RequestSaga.idOf(fundedAccountId, tx))
                .orElseThrow(() -> new AssertionError("no saga " + fundedAccountId + ":" + tx));
    }

    List<SagaState> unfinishedSagas() {
        return jangle.operations().sagas(false, 10_000);
    }

    @Override
    public void close() {
        jangle.close();
    }
}
