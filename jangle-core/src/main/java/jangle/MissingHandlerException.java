package jangle;

/** No handler at run time for a message (A8, Q2, §5 step 1). */
public class MissingHandlerException extends JangleException {
    /** What was missing. */
    public enum Kind { COMMAND_ROUTE, QUERY_HANDLER, RECONSTITUTOR, SAGA_RECONSTITUTOR }

    private final Kind kind;
    private final String type;

    public MissingHandlerException(Kind kind, String type, String message) {
        super(message);
        this.kind = kind;
        this.type = type;
    }

    public Kind kind() {
        return kind;
    }

    /** The message type (class or type name) that had no handler. */
    public String type() {
        return type;
    }
}
