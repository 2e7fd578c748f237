package jangle;

/**
 * The store refused a second event (or saga commit) with the same id and version (H1, SG4). The command handler
 * catches it and retries against fresh state (H2).
 */
public class VersionConflictException extends JangleException {
    private final String aggregateId;
    private final long version;

    public VersionConflictException(String aggregateId, long version) {
        this(aggregateId, version, "Version conflict on '" + aggregateId + "' at version " + version);
    }

    protected VersionConflictException(String aggregateId, long version, String message) {
        super(message);
        this.aggregateId = aggregateId;
        this.version = version;
    }

    /** The aggregate (or saga) id. */
    public String aggregateId() {
        return aggregateId;
    }

    public long version() {
        return version;
    }
}
