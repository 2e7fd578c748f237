package jangle.banking.app.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jangle.jdbc.JdbcDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * One embedded PostgreSQL server per test JVM (started on first use, stopped at exit), handing out a fresh empty
 * database per caller so tests never see each other's rows.
 */
public final class EmbeddedPg {
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

    public static EmbeddedPostgres server() {
        return Holder.PG;
    }

    /** Creates a new empty database and returns its JDBC URL (user and password: postgres). */
    public static String newDatabaseUrl() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return server().getJdbcUrl("postgres", name);
    }

    /** A {@link JdbcDatabase} on a new empty database. */
    public static JdbcDatabase newDatabase() {
        return JdbcDatabase.open(newDatabaseUrl(), "postgres", "postgres");
    }
}
