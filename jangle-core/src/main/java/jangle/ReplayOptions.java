package jangle;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Operations#replay(ReplayOptions)} rebuilds (R1–R3): the projections by name, the feed position to start
 * after, whether their read models are cleared first ({@link Projection#reset()}, R2), and who hears of the progress.
 * Named steps instead of positional arguments, so a call says what it does:
 * {@code ReplayOptions.of("balances").resettingFirst().reportingTo(listener)}.
 *
 * @param projections  the projections to rebuild, by handler name; at least one
 * @param fromPosition events after this global position are replayed; 0 replays the whole feed
 * @param resetFirst   whether each projection's {@link Projection#reset()} runs before its first event
 * @param listener     told of the progress after each batch
 */
public record ReplayOptions(List<String> projections, long fromPosition, boolean resetFirst,
                            ReplayListener listener) {
    public ReplayOptions {
        projections = List.copyOf(Objects.requireNonNull(projections, "projections"));
        if (projections.isEmpty()) throw new IllegalArgumentException("name at least one projection to replay");
        if (fromPosition < 0) throw new IllegalArgumentException("fromPosition must be >= 0, was " + fromPosition);
        listener = listener == null ? ReplayListener.NONE : listener;
    }

    /** The whole feed into {@code projections}, without clearing them first, reporting to nobody. */
    public static ReplayOptions of(String... projections) {
        return new ReplayOptions(List.of(projections), 0, false, ReplayListener.NONE);
    }

    /** The whole feed into {@code projections}, without clearing them first, reporting to nobody. */
    public static ReplayOptions of(List<String> projections) {
        return new ReplayOptions(projections, 0, false, ReplayListener.NONE);
    }

    /** Only the events after {@code position}. */
    public ReplayOptions from(long position) {
        return new ReplayOptions(projections, position, resetFirst, listener);
    }

    /** Clears each read model ({@link Projection#reset()}) before replaying into it (R2). */
    public ReplayOptions resettingFirst() {
        return new ReplayOptions(projections, fromPosition, true, listener);
    }

    /** Reports progress to {@code progress} after each batch. */
    public ReplayOptions reportingTo(ReplayListener progress) {
        return new ReplayOptions(projections, fromPosition, resetFirst, progress);
    }
}
