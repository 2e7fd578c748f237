package jangle;

/**
 * Any storage fault other than a conflict: connection lost, disk full, corrupt schema (§18). Database error codes
 * are translated to this and to {@link VersionConflictException} in one place per dialect.
 */
public class StoreException extends JangleException {
    private final String store;
    private final String operation;

    public StoreException(String store, String operation, Throwable cause) {
        super(store + " failed during " + operation + ": " + (cause == null ? "unknown cause" : cause.getMessage()),
                cause);
        this.store = store;
        this.operation = operation;
    }

    public StoreException(String store, String operation, String problem) {
        super(store + " failed during " + operation + ": " + problem);
        this.store = store;
        this.operation = operation;
    }

    public String store() {
        return store;
    }

    public String operation() {
        return operation;
    }
}
