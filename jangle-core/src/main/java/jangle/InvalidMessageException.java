package jangle;

/**
 * A command, event, query or metadata value was built with invalid data (M2). The message is the rule that was
 * broken, naming the field, for example {@code amount must be greater than 0}.
 */
public class InvalidMessageException extends IllegalArgumentException {
    private final String field;

    public InvalidMessageException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The name of the offending field. */
    public String field() {
        return field;
    }
}
