package jangle;

import java.time.Clock;

/**
 * What an event handler may do besides its own work (D7): send commands that inherit the triggering event's
 * correlation id and are caused by its event id (E3), and read the application's clock.
 */
public interface HandlerContext {
    /** The event being handled. */
    EventRecord<?> record();

    /** The name of the handler being run. */
    String handlerName();

    /** Sends a command through the normal command loop (H5); never deadlocks (D2). */
    CommandResponse send(Command command);

    /**
     * Sends a command and, when it commits events, marks the current delivery done in the same transaction (D15). If
     * the command is rejected or commits nothing, nothing is marked. After an accepted call the handler must return.
     */
    CommandResponse sendAndComplete(Command command);

    Clock clock();
}
