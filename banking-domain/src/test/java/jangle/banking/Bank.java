package jangle.banking;

import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.EventHandler;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.memory.InMemoryStores;
import jangle.spi.SagaState;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The banking domain in a real {@link Jangle} on in-memory stores, with a hand-moved clock. Dispatch is not started:
 * {@link #settle()} runs catch-up passes (every pending delivery, whatever its age) until none is left, so tests are
 * deterministic; {@link #sagaPass()} runs the saga daemon once.
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

    /** Runs catch-up passes until nothing is pending (failed deliveries are retried each pass). */
    void settle() {
        for (int i = 0; i < 200; i++) {
            if (jangle.operations().runCatchUpPass() == 0) return;
        }
        throw new AssertionError("dispatch did not settle: " + jangle.operations().pending(null, 10));
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
