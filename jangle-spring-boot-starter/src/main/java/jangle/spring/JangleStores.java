package jangle.spring;

import jangle.ConfigurationException;
import jangle.StoreException;
import jangle.jdbc.JdbcDatabase;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens the store {@code jangle.store} asks for. {@code auto} prefers an explicit SQLite file over the context's
 * DataSource, because naming a file is the more specific wish. A DataSource must be PostgreSQL (the one server dialect
 * Jangle has); it is checked once here so that a wrong database is named at start-up, not at the first command.
 */
final class JangleStores {
    private JangleStores() {
    }

    static JdbcDatabase open(JangleProperties properties, DataSource dataSource) {
        Path file = properties.sqlite().path();
        return switch (properties.store()) {
            case SQLITE -> {
                if (file == null) {
                    throw new ConfigurationException("jangle.store=sqlite needs jangle.sqlite.path (the database "
                            + "file, created when missing)");
                }
                yield JdbcDatabase.sqlite(file);
            }
            case POSTGRESQL -> {
                if (dataSource == null) {
                    throw new ConfigurationException("jangle.store=postgresql needs one DataSource bean: set "
                            + "spring.datasource.url (with spring-boot-starter-jdbc) or declare a DataSource");
                }
                yield postgres(dataSource);
            }
            case AUTO -> {
                if (file != null) yield JdbcDatabase.sqlite(file);
                if (dataSource != null) yield postgres(dataSource);
                throw new ConfigurationException("Jangle has no store: set jangle.sqlite.path to a SQLite file, give "
                        + "the application a PostgreSQL DataSource (spring.datasource.url), or set jangle.store=memory"
                        + " (nothing survives a restart)");
            }
            case MEMORY -> throw new IllegalStateException("jangle.store=memory opens no database");
        };
    }

    private static JdbcDatabase postgres(DataSource dataSource) {
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new StoreException("database", "open the application's DataSource", e);
        }
        if (!"PostgreSQL".equalsIgnoreCase(product)) {
            throw new ConfigurationException("the application's DataSource is " + product + ", but Jangle stores "
                    + "events in PostgreSQL or SQLite: point spring.datasource.url at PostgreSQL, or set "
                    + "jangle.sqlite.path");
        }
        return JdbcDatabase.postgres(dataSource);
    }
}
