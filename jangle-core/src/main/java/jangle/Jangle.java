package jangle;

import jangle.spi.Stores;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * An application: the immutable result of {@link #builder()}{@code .build()} (CR1). Thread-safe. Commands and
 * queries work before {@link #start()}; deliveries then accumulate in the ledger (CR4).
 *
 * <p>This type is what application code holds: send, query, wait for consistency, start and close. Everything an
 * operator or an integration module needs (replay, dead letters, health, backlog, counts) is behind
 * {@link #operations()}.
 */
public interface Jangle extends AutoCloseable {
    static JangleBuilder builder() {
        return new JangleBuilder();
    }

    /** Runs the command loop of §5 and blocks until the command is accepted or rejected. */
    CommandResponse send(Command command);

    CommandResponse send(Command command, SendOptions options);

    CompletableFuture<CommandResponse> sendAsync(Command command);

    CompletableFuture<CommandResponse> sendAsync(Command command, SendOptions options);

    /** Answers a query from its registered handler (Q1). */
    <R> R query(Query<R> query);

    /** Waits until the query's projections have handled {@code token} (CA1), then queries. */
    <R> R query(Query<R> query, ConsistencyToken token, Duration timeout);

    /**
     * Returns when every named handler (none named: all projections) has no pending delivery at or below the token's
     * position (CA1). Throws {@link ConsistencyTimeoutException} on timeout or on a dead letter at or below it.
     */
    void awaitHandled(ConsistencyToken token, Duration timeout, String... handlerNames);

    /** Returns when no pending delivery belongs to an event with this correlation id (CA3). */
    void awaitSettled(UUID correlationId, Duration timeout);

    /**
     * Operator and engine verbs, kept off this type so the one a user holds to send commands and run queries stays
     * small: stuck work (pending, dead letters, retry, skip), sagas, replay, command counts, backlog, health, daemon
     * passes and the door for relayed events.
     */
    Operations operations();

    /** The registered event types. */
    TypeRegistry types();

    /** The stores, for tools and tests (reading the feed, checking invariants). */
    Stores stores();

    Settings settings();

    Clock clock();

    /** Starts the dispatcher and both daemons, running their catch-up passes (CR4, D10, SG9). Idempotent. */
    void start();

    /** Stops taking work, drains the hand-off up to a timeout, stops the daemons; unfinished work stays pending. */
    @Override
    void close();
}
