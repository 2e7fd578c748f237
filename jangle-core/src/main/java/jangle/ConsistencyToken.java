package jangle;

/**
 * Where a command left its aggregate (§3.1, §16): the aggregate's version after the command (or the version it was
 * decided against when nothing was committed) and the global position of the last event committed (or of the
 * aggregate's latest event; 0 when it has none). Used for read-your-writes waits and as an HTTP entity tag.
 */
public record ConsistencyToken(String aggregateId, long version, long position) {
    /** The HTTP entity tag form, {@code "<aggregateId>:<version>"} with the quotes (CA2). */
    public String entityTag() {
        return "\"" + aggregateId + ":" + version + "\"";
    }
}
