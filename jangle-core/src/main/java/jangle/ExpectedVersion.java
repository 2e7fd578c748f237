package jangle;

/**
 * What a sender expects of an aggregate's version before its command is validated (CA2): {@link Any} (no check, the
 * default), {@link NoStream} (the aggregate has no events yet) or {@link Exactly} n. A type rather than a negative
 * number, so "no check" cannot be confused with a version and every case is handled where it is read.
 *
 * <p>The check runs before the validator and again on each retry after a concurrent write; a mismatch is a
 * {@link CommandResponse.Rejected} whose token carries the version found.
 */
public sealed interface ExpectedVersion permits ExpectedVersion.Any, ExpectedVersion.NoStream, ExpectedVersion.Exactly {

    /** No expectation: the command is validated at whatever version the aggregate has. */
    record Any() implements ExpectedVersion {
        @Override
        public boolean matches(long actual) {
            return true;
        }
    }

    /** The aggregate must have no events yet (version 0). */
    record NoStream() implements ExpectedVersion {
        @Override
        public boolean matches(long actual) {
            return actual == 0;
        }
    }

    /**
     * The aggregate must be at exactly {@code version}, its number of events; at least 1 ({@link NoStream} says 0).
     */
    record Exactly(long version) implements ExpectedVersion {
        public Exactly {
            if (version < 1) {
                throw new InvalidMessageException("expectedVersion", "an exact expected version must be at least 1, "
                        + "not " + version + "; ExpectedVersion.noStream() expects an aggregate without events");
            }
        }

        @Override
        public boolean matches(long actual) {
            return actual == version;
        }
    }

    /** No check (the default of {@link SendOptions#NONE}). */
    static ExpectedVersion any() {
        return new Any();
    }

    /** The aggregate has no events yet. */
    static ExpectedVersion noStream() {
        return new NoStream();
    }

    /** The aggregate is at exactly {@code version} (at least 1). */
    static ExpectedVersion exactly(long version) {
        return new Exactly(version);
    }

    /** Whether an aggregate at {@code actual} meets this expectation. */
    boolean matches(long actual);
}
