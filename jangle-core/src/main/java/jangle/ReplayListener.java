package jangle;

/** Progress of a replay (R3). Called from the replaying thread after each batch. */
@FunctionalInterface
public interface ReplayListener {
    void progress(long eventsDone, long eventsTotal, double eventsPerSecond);

    ReplayListener NONE = (done, total, rate) -> { };
}
