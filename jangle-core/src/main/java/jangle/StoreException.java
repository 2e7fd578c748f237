package jangle;

/**
 * Any storage fault other than a conflict: connection lost, disk full, corrupt schema (§18). Database error codes
 * are translated to this and to {@link VersionConflictException} in one place per dialect.
 */
public class StoreException extends JangleException {
    /**
     * The root cause of a storage fault in words an operator acts on (issue 18 item 2), decided where the database's
     * error codes are translated. {@link #OTHER} when the code names none of these.
     */
    public enum Fault {
        DISK_FULL("the disk is full"),
        READ_ONLY("the database is read-only"),
        CORRUPT("the database file is damaged"),
        CONNECTION_LOST("the connection to the database failed or was lost"),
        TIMEOUT("the database did not answer in time"),
        IO_ERROR("the disk reported an I/O error"),
        OTHER("a database error");

        private final String text;

        Fault(String text) {
            this.text = text;
        }

        /** The root cause in plain words, for messages. */
        public String text() {
            return text;
        }
    }

    private final String store;
    private final String operation;
    private final String location;
    private final Fault fault;

    public StoreException(String store, String operation, Throwable cause) {
        super(store + " failed during " + operation + ": " + (cause == null ? "unknown cause" : cause.getMessage()),
                cause);
        this.store = store;
        this.operation = operation;
        this.location = null;
        this.fault = Fault.OTHER;
    }

    public StoreException(String store, String operation, String problem) {
        super(store + " failed during " + operation + ": " + problem);
        this.store = store;
        this.operation = operation;
        this.location = null;
        this.fault = Fault.OTHER;
    }

    /**
     * A fault whose root cause and place are known: the message reads
     * {@code <store> failed during <operation> on <location>: <fault's words> (<detail>)}, so the user sees the cause
     * and the file or server without opening the log.
     *
     * @param location the SQLite file or the PostgreSQL server and database; null when unknown
     * @param detail   the driver's own words, or null
     */
    public StoreException(String store, String operation, String location, Fault fault, String detail,
                          Throwable cause) {
        super(store + " failed during " + operation + (location == null ? "" : " on " + location) + ": "
                + fault.text() + (detail == null || detail.isBlank() ? "" : " (" + detail + ")"), cause);
        this.store = store;
        this.operation = operation;
        this.location = location;
        this.fault = fault;
    }

    public String store() {
        return store;
    }

    public String operation() {
        return operation;
    }

    /** The SQLite file or PostgreSQL server and database, when known; else null. */
    public String location() {
        return location;
    }

    /** The root cause, {@link Fault#OTHER} when not known. */
    public Fault fault() {
        return fault;
    }
}
