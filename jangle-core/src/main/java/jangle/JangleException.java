package jangle;

/**
 * Root of Jangle's infrastructure and programming-error exceptions (§18). Business rejections are never exceptions:
 * they are {@link CommandResponse} values. {@link InvalidMessageException} is the one Jangle error outside this
 * hierarchy, because a bad constructor argument is an {@link IllegalArgumentException} in plain Java.
 */
public class JangleException extends RuntimeException {
    public JangleException(String message) {
        super(message);
    }

    public JangleException(String message, Throwable cause) {
        super(message, cause);
    }
}
