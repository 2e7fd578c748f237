package jangle;

/**
 * A stored row breaks what the schema promises (a NULL in a NOT NULL column, a value that cannot be what its column
 * holds): the database file or server has been damaged, and nothing read from it is trusted. It names the database,
 * the table and the row's position (issue 17), so an operator knows what to restore, and it is raised instead of
 * passing the damaged value on (where it would surface as a raw {@code NullPointerException}).
 */
public class DamagedStoreException extends StoreException {
    private final String database;
    private final String table;
    private final String row;

    public DamagedStoreException(String store, String operation, String database, String table, String row,
                                 String problem) {
        super(store, operation, "the database " + database + " is damaged: " + table + " " + row + ": " + problem
                + " (run 'jangle-bank check'; restore a backup)");
        this.database = database;
        this.table = table;
        this.row = row;
    }

    /** The file or server, as the store describes it (no secrets). */
    public String database() {
        return database;
    }

    public String table() {
        return table;
    }

    /** Where the row is, e.g. {@code position 123} or {@code saga 'abc' version 2}. */
    public String row() {
        return row;
    }
}
