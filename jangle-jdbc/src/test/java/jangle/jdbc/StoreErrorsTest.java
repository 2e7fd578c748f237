package jangle.jdbc;

import jangle.StoreException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The one translation of database errors (SqlErrors): every store error a user sees names its root cause and the
 * file or server (issue 16 item 8, issue 18 item 2), from real SQLite and PostgreSQL errors.
 */
class StoreErrorsTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("issue 16.8: SQLITE_READONLY in a transaction: 'the database is read-only' and the file")
    void sqliteReadOnly() {
        Path file = dir.resolve("ro.db");
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t (x INTEGER)");
                }
                return null;
            });
            StoreException e = catchThrowableOfType(StoreException.class, () -> db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA query_only = 1"); // SQLite refuses writes from here on: SQLITE_READONLY
                    try {
                        s.execute("INSERT INTO t VALUES (1)");
                    } finally {
                        s.execute("PRAGMA query_only = 0");
                    }
                }
                return null;
            }));
            assertThat(e.fault()).isEqualTo(StoreException.Fault.READ_ONLY);
            assertThat(e.location()).isEqualTo(file.toAbsolutePath().toString());
            assertThat(e.getMessage()).startsWith("database failed during transaction on " + file.toAbsolutePath()
                    + ": the database is read-only (").contains("SQLITE_READONLY");
        }
    }

    @Test
    @DisplayName("issue 16.8: SQLITE_CORRUPT during a read: 'the database file is damaged' and the file")
    void sqliteCorrupt() throws Exception {
        Path file = dir.resolve("corrupt.db");
        long root;
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t (x TEXT)");
                    s.execute("INSERT INTO t VALUES ('a'), ('b')");
                }
                return null;
            });
            root = db.read(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    try (ResultSet rs = s.executeQuery("SELECT rootpage FROM sqlite_master WHERE name = 't'")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek((root - 1) * 4096);
            f.write(new byte[4096]);
        }
        try (JdbcDatabase db = JdbcDatabase.sqlite(file)) {
            StoreException e = catchThrowableOfType(StoreException.class, () -> db.read(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                    return rs.getLong(1);
                }
            }));
            assertThat(e.fault()).isEqualTo(StoreException.Fault.CORRUPT);
            assertThat(e.getMessage()).contains("on " + file.toAbsolutePath() + ": the database file is damaged (");
        }
    }

    @Test
    @DisplayName("issue 18.5: no SQLite connection reads or writes the database through a memory mapping "
            + "(mmap_size 0 on the writer and the readers)")
    void noMemoryMappedIo() {
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("mmap.db"))) {
            SqlWork<Long> mmapSize = c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA mmap_size")) {
                    rs.next();
                    return rs.getLong(1);
                }
            };
            assertThat(db.inTransaction(mmapSize)).isZero();
            assertThat(db.read(mmapSize)).isZero();
        }
    }

    @Test
    @DisplayName("issue 16.8: nothing listening on the PostgreSQL port: the server named, 'connection failed', fast")
    void postgresUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: connecting is refused
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/bank?user=secret_user";
        StoreException e = catchThrowableOfType(StoreException.class,
                () -> JdbcDatabase.open(url, "postgres", "postgres", new DbTimeouts(
                        java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(5))).close());
        assertThat(e.fault()).isEqualTo(StoreException.Fault.CONNECTION_LOST);
        assertThat(e.location()).isEqualTo("PostgreSQL 127.0.0.1:" + port + "/bank");
        assertThat(e.getMessage()).contains("the connection to the database failed or was lost")
                .doesNotContain("secret_user");
    }
}
