package jangle;

import jangle.spi.Completion;

import java.time.Clock;
import java.util.Objects;

/**
 * The {@link HandlerContext} of one handler call (D7). Commands sent through it inherit the triggering event's
 * correlation id and free-form metadata entries and are caused by its event id (E3). It is valid only while the
 * handler runs: afterwards every send is an {@link IllegalStateException} (D15). After an accepted
 * {@link #sendAndComplete} the handler must return, so any further send is refused the same way.
 */
final class DispatchContext implements HandlerContext {
    private final EventRecord<?> record;
    private final String handlerName;
    private final CommandGateway gateway;
    private final Clock clock;
    private final Completion completion;
    private volatile boolean active = true;
    private volatile boolean completed;

    /**
     * @param gateway    null during replay: projections being replayed may not send commands (R1)
     * @param completion what an accepted {@link #sendAndComplete} writes with its command (D15): the processor's
     *                   checkpoint past this event, or the removal of its parked delivery; null when nothing is
     *                   tracked (a relayed delivery), and then {@code sendAndComplete} is a plain send
     */
    DispatchContext(EventRecord<?> record, String handlerName, CommandGateway gateway, Clock clock,
                    Completion completion) {
        this.completion = completion;
        this.record = record;
        this.handlerName = handlerName;
        this.gateway = gateway;
        this.clock = clock;
    }

    @Override
    public EventRecord<?> record() {
        return record;
    }

    @Override
    public String handlerName() {
        return handlerName;
    }

    @Override
    public CommandResponse send(Command command) {
        return dispatch(command, null);
    }

    @Override
    public CommandResponse sendAndComplete(Command command) {
        CommandResponse response = dispatch(command, completion);
        if (response.isAccepted()) completed = true;
        return response;
    }

    private CommandResponse dispatch(Command command, Completion completing) {
        Objects.requireNonNull(command, "command");
        if (!active) {
            throw new IllegalStateException("the context of handler '" + handlerName + "' for event "
                    + record.eventId() + " is only valid while the handler runs");
        }
        if (completed) {
            throw new IllegalStateException("handler '" + handlerName + "' already completed its delivery with an "
                    + "accepted sendAndComplete and must return (D15)");
        }
        if (gateway == null) {
            throw new IllegalStateException("handler '" + handlerName + "' cannot send commands during a replay");
        }
        SendOptions options = SendOptions.NONE.withCorrelationId(record.metadata().correlationId())
                .withMetadata(record.metadata().entries());
        return gateway.send(command, options, record.eventId(), completing);
    }

    /** True when an accepted sendAndComplete ran (the delivery may already be done in the ledger). */
    boolean completedByCommand() {
        return completed;
    }

    void close() {
        active = false;
    }

    @Override
    public Clock clock() {
        return clock;
    }
}
