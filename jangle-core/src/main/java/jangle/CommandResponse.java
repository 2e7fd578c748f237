package jangle;

/**
 * The answer to a command (§3.1). A business rejection is a value, never an exception (§18).
 *
 * @param success true when the command was accepted, including an accepted no-op such as an idempotent repeat
 * @param reason  rejection text; null on success
 * @param data    an optional result chosen by the validator, for example the new account id
 * @param token   filled in by the command handler; null in a response built by a validator
 */
public record CommandResponse(boolean success, String reason, Object data, ConsistencyToken token) {
    private static final CommandResponse OK = new CommandResponse(true, null, null, null);

    public CommandResponse {
        if (!success && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("a rejection needs a reason");
        }
        if (success && reason != null) throw new IllegalArgumentException("an accepted command has no reason");
    }

    public static CommandResponse ok() {
        return OK;
    }

    public static CommandResponse ok(Object data) {
        return new CommandResponse(true, null, data, null);
    }

    public static CommandResponse rejected(String reason) {
        return new CommandResponse(false, reason, null, null);
    }

    public CommandResponse withToken(ConsistencyToken newToken) {
        return new CommandResponse(success, reason, data, newToken);
    }

    /** The data cast to {@code type}; throws {@link ClassCastException} naming both types when it is not one. */
    public <T> T data(Class<T> type) {
        return type.cast(data);
    }
}
