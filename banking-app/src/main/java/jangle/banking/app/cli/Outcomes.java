package jangle.banking.app.cli;

import jangle.ConsistencyTimeoutException;
import jangle.Event;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.banking.RequestCredited;
import jangle.banking.RequestDebitRolledBack;
import jangle.banking.RequestDebited;
import jangle.banking.RequestReceived;
import jangle.banking.RequestRejectionReceived;
import jangle.banking.TransferCredited;
import jangle.banking.TransferDebitRolledBack;
import jangle.banking.app.BankingApplication;
import jangle.spi.EventStore;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Waiting for a command's effects and telling what became of a transfer or an accepted request.
 *
 * <p><b>How outcomes are decided.</b> Only from the event store, never from the read models, because the events are
 * the truth and they are there as soon as the chain's commands commit. A transfer (banking.md §7.1) is
 * <em>returned</em> when the funding account's stream holds {@code TransferDebitRolledBack} for its transaction id,
 * <em>credited</em> when the funded account's stream holds {@code TransferCredited} with that funding account and
 * transaction id, and otherwise still <em>in progress</em>. An accepted request (§7.2) is <em>returned</em> when the
 * funding stream holds {@code RequestDebitRolledBack}, <em>credited</em> when the requester's stream holds
 * {@code RequestCredited}, <em>failed</em> when the requester's stream holds {@code RequestRejectionReceived} and
 * the funding stream no {@code RequestDebited}, and otherwise in progress. Operations are named by (account,
 * transaction id) as §4 requires, never by the transaction id alone. Streams are read from their start: an account's
 * stream is short next to the wait that precedes the read.
 */
final class Outcomes {
    /** What a {@code Transfer} became (cli.md §4.2, §5). */
    enum TransferOutcome {
        CREDITED("credited"), RETURNED("returned"), IN_PROGRESS("in progress");

        final String text;

        TransferOutcome(String text) {
            this.text = text;
        }
    }

    /** What an {@code AcceptRequest} became (cli.md §4.2, §5). */
    enum AcceptOutcome {
        CREDITED("credited"), FAILED("failed"), RETURNED("returned"), IN_PROGRESS("in progress");

        final String text;

        AcceptOutcome(String text) {
            this.text = text;
        }
    }

    private Outcomes() {
    }

    static TransferOutcome transfer(EventStore store, String funding, String funded, String tx) {
        if (find(store, funding, TransferDebitRolledBack.class, e -> e.transactionId().equals(tx)).isPresent()) {
            return TransferOutcome.RETURNED;
        }
        if (find(store, funded, TransferCredited.class,
                e -> e.transactionId().equals(tx) && e.fundingAccountId().equals(funding)).isPresent()) {
            return TransferOutcome.CREDITED;
        }
        return TransferOutcome.IN_PROGRESS;
    }

    static AcceptOutcome accept(EventStore store, String funding, String requester, String tx) {
        if (find(store, funding, RequestDebitRolledBack.class,
                e -> e.transactionId().equals(tx) && e.fundedAccountId().equals(requester)).isPresent()) {
            return AcceptOutcome.RETURNED;
        }
        if (find(store, requester, RequestCredited.class, e -> e.transactionId().equals(tx)).isPresent()) {
            return AcceptOutcome.CREDITED;
        }
        boolean debited = find(store, funding, RequestDebited.class,
                e -> e.transactionId().equals(tx) && e.fundedAccountId().equals(requester)).isPresent();
        if (!debited && find(store, requester, RequestRejectionReceived.class,
                e -> e.transactionId().equals(tx)).isPresent()) {
            return AcceptOutcome.FAILED;
        }
        return AcceptOutcome.IN_PROGRESS;
    }

    /** The request the funding account received under {@code tx} (unique there, banking.md B15). */
    static Optional<RequestReceived> receivedRequest(EventStore store, String funding, String tx) {
        return find(store, funding, RequestReceived.class, e -> e.transactionId().equals(tx));
    }

    /** The first event of {@code type} in the stream that matches. */
    static <E extends Event> Optional<E> find(EventStore store, String aggregateId, Class<E> type,
                                              Predicate<E> match) {
        try (Stream<EventRecord<?>> events = store.read(aggregateId, 0)) {
            return events.map(EventRecord::event).filter(type::isInstance).map(type::cast).filter(match).findFirst();
        }
    }

    /**
     * Waits, at most {@code max}, until every delivery of the events that carry this correlation id has run (CA3):
     * the read models' ({@code bank-views}, T5) and, for transfers and requests, mediation and saga steps. This is a
     * read-your-writes wait that also covers every stream a command wrote: the response's token names one stream
     * only (for {@code CreateAccount}, the creation stream, while the account's own events come after it), so waiting
     * on the token alone could return before the new account is in the read models. A timeout is not an error
     * here: the caller reports what it finds ("still in progress").
     *
     * @return true when the wait completed, false when it timed out (or a dead letter stopped it)
     */
    static boolean settle(Jangle jangle, UUID correlationId, Duration max) {
        try {
            jangle.awaitSettled(correlationId, max);
            return true;
        } catch (ConsistencyTimeoutException e) {
            return false;
        }
    }

    /**
     * After start-up: waits, at most {@code max}, until this application's processors have reached the head of the feed
     * and nothing is parked awaiting a retry, so a query answers after the work resumed from an earlier run has been
     * done (T9, D17). Polls the checkpoints; dead letters do not count.
     *
     * @return true when nothing was left pending
     */
    static boolean catchUp(BankingApplication app, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (app.hasPendingDeliveries()) { // processors behind the head, or parked deliveries (D17, D3)
            if (System.nanoTime() - deadline >= 0) return false;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
