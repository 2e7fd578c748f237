package jangle;

import java.util.List;

/** A read-your-writes or settle wait timed out, or hit a dead letter (CA1, CA3). */
public class ConsistencyTimeoutException extends JangleException {
    private final String awaited;
    private final List<String> laggingHandlers;

    public ConsistencyTimeoutException(String awaited, List<String> laggingHandlers, String message) {
        super(message);
        this.awaited = awaited;
        this.laggingHandlers = List.copyOf(laggingHandlers);
    }

    /** The token or correlation id waited for, as text. */
    public String awaited() {
        return awaited;
    }

    public List<String> laggingHandlers() {
        return laggingHandlers;
    }
}
