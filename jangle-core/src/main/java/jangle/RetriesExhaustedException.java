package jangle;

/** The command handler gave up after {@code commandMaxAttempts} conflicting attempts (H3). Nothing was committed. */
public class RetriesExhaustedException extends VersionConflictException {
    private final int attempts;

    public RetriesExhaustedException(String aggregateId, long version, int attempts) {
        super(aggregateId, version, "Gave up on '" + aggregateId + "' after " + attempts
                + " attempts: every one conflicted with a concurrent commit (last at version " + version + ")");
        this.attempts = attempts;
    }

    public int attempts() {
        return attempts;
    }
}
