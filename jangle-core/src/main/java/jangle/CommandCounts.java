package jangle;

/**
 * How many commands this application has handled, by outcome, since it was built (H6). {@code conflicts} counts the
 * attempts thrown away on a version conflict and retried against fresh state; {@code exhausted} the commands that
 * failed with {@link RetriesExhaustedException}. Load drivers divide {@code conflicts} by the commands sent to report
 * retries per command.
 */
public record CommandCounts(long accepted, long rejected, long conflicts, long exhausted) {
    /** Accepted, rejected and exhausted: every command that finished. */
    public long finished() {
        return accepted + rejected + exhausted;
    }
}
