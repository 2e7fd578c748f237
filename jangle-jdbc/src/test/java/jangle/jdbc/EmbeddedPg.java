package jangle.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * One embedded PostgreSQL server per test JVM (a real server, never a mock), started on first use and stopped at
 * exit; each caller gets a fresh empty database. Test code only.
 */
final class EmbeddedPg {
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

    static EmbeddedPostgres server() {
        return Holder.PG;
    }

    /**
     * Creates a new empty schema in the shared database and returns a JDBC URL whose {@code currentSchema} is that
     * schema (user and password: postgres). A schema costs milliseconds, a database about a second.
     */
    static String newDatabaseUrl() {
        String name = "j_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + name, e);
        }
        return server().getJdbcUrl("postgres", "postgres") + "&currentSchema=" + name;
    }

    /** A {@link JdbcDatabase} on a new empty schema. */
    static JdbcDatabase newDatabase() {
        return JdbcDatabase.open(newDatabaseUrl(), "postgres", "postgres");
    }

    /** A {@link JdbcDatabase} on a new empty database, reached through a plain (unpooled) {@code DataSource}. */
    static JdbcDatabase newDatabaseFromDataSource() {
        String name = "d_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return JdbcDatabase.postgres(server().getDatabase("postgres", name));
    }
}
