package jangle.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work run on a connection lent by {@link JdbcDatabase#inTransaction} or {@link JdbcDatabase#read}. The connection
 * belongs to the database: do not close it, commit it, roll it back or keep it after {@link #run} returns.
 *
 * @param <T> the result
 */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
