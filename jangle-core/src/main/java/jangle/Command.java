package jangle;

/**
 * A request to change the state of the application: intent, immutable, valid on construction (M1, M2).
 *
 * <p>Each application declares a {@code sealed} family that extends this interface; its permitted records are the
 * complete list of what the application can be asked to do. One command type is decided by exactly one aggregate
 * type, and each command names the one aggregate instance that decides it.
 */
public interface Command {
    /** The id of the aggregate instance that decides this command. */
    String aggregateId();
}
