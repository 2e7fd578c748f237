package jangle;

/**
 * The answer to a command (§3.1): {@link Accepted} or {@link Rejected}, a sealed pair so that callers switch on it
 * and the compiler checks that both outcomes are handled. A business rejection is a value, never an exception (§18).
 *
 * <p>Validators build responses with {@link #accepted()}, {@link #accepted(Object)} and {@link #rejected(String)};
 * the command handler adds the {@link ConsistencyToken}.
 */
public sealed interface CommandResponse permits CommandResponse.Accepted, CommandResponse.Rejected {

    /**
     * The command was accepted, including an accepted no-op such as an idempotent repeat.
     *
     * @param data  an optional result chosen by the validator, for example the new account id; null when none
     * @param token filled in by the command handler; null in a response built by a validator
     */
    record Accepted(Object data, ConsistencyToken token) implements CommandResponse {
        private static final Accepted EMPTY = new Accepted(null, null);

        @Override
        public Accepted withToken(ConsistencyToken newToken) {
            return new Accepted(data, newToken);
        }

        /** The data cast to {@code type}; throws {@link ClassCastException} naming both types when it is not one. */
        public <T> T data(Class<T> type) {
            return type.cast(data);
        }
    }

    /**
     * The command was rejected for a business reason; nothing was recorded.
     *
     * @param reason the rejection text shown to the user; never blank
     * @param token  filled in by the command handler; null in a response built by a validator
     */
    record Rejected(String reason, ConsistencyToken token) implements CommandResponse {
        public Rejected {
            if (reason == null || reason.isBlank()) throw new IllegalArgumentException("a rejection needs a reason");
        }

        @Override
        public Rejected withToken(ConsistencyToken newToken) {
            return new Rejected(reason, newToken);
        }
    }

    /** An acceptance without data. */
    static Accepted accepted() {
        return Accepted.EMPTY;
    }

    /** An acceptance carrying {@code data}, for example the id the command created. */
    static Accepted accepted(Object data) {
        return new Accepted(data, null);
    }

    /** A rejection; {@code reason} must not be blank. */
    static Rejected rejected(String reason) {
        return new Rejected(reason, null);
    }

    /** The aggregate's version and feed position the answer was decided at; null before the handler fills it in. */
    ConsistencyToken token();

    /** The same outcome carrying {@code newToken}. */
    CommandResponse withToken(ConsistencyToken newToken);

    /** True for {@link Accepted}; for counting and assertions. Code that reads data or reason switches instead. */
    default boolean isAccepted() {
        return this instanceof Accepted;
    }

    /**
     * The data of an accepted response cast to {@code type}, for callers that treat a rejection as a failure (tests,
     * set-up code).
     *
     * @throws IllegalStateException naming the reason when this is a rejection
     */
    default <T> T acceptedData(Class<T> type) {
        return switch (this) {
            case Accepted a -> a.data(type);
            case Rejected r -> throw new IllegalStateException("the command was rejected: " + r.reason());
        };
    }

    /**
     * The reason of a rejection, for callers that expect one (tests).
     *
     * @throws IllegalStateException when this is an acceptance
     */
    default String rejectionReason() {
        return switch (this) {
            case Rejected r -> r.reason();
            case Accepted a -> throw new IllegalStateException("the command was accepted (data " + a.data() + ")");
        };
    }
}
