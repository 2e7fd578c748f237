package jangle;

/**
 * Told when this node has committed a processor's progress (D17): a checkpoint moved forward, or an event parked for
 * a processor (D3). It lets a process react to its own read models catching up (a push to a client, a load driver's
 * latency sample) without polling the checkpoint table, which under load is work the database does for nobody.
 *
 * <p>Called on the processor's own thread right after the commit, so an implementation must return quickly and must
 * not block; whatever it throws is logged and otherwise ignored, and never undoes the commit. Only this node's commits
 * are reported: another node's progress is read from the store ({@code stores().events().checkpoints()}). A commit
 * whose outcome is unknown (the connection broke during it) is not reported.
 */
public interface CheckpointListener {
    /** Hears nothing. */
    CheckpointListener NONE = new CheckpointListener() {
    };

    /** The checkpoint of {@code processor}'s {@code segment} is committed at {@code position} or past it. */
    default void advanced(String processor, int segment, long position) {
    }

    /** The event at {@code position} is parked for {@code processor}: it is not handled until a retry succeeds. */
    default void parked(String processor, long position) {
    }
}
