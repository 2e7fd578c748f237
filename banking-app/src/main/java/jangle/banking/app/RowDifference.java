package jangle.banking.app;

/**
 * One row that differs between the live read models and a rebuilt copy (cli.md §5.2 {@code replay --verify}).
 *
 * @param table   the table name
 * @param key     the row's key values joined by {@code /}
 * @param live    the live row as {@code column=value} pairs, or null when the live table lacks the row
 * @param rebuilt the rebuilt row likewise, or null when the rebuilt table lacks it
 */
public record RowDifference(String table, String key, String live, String rebuilt) {
}
