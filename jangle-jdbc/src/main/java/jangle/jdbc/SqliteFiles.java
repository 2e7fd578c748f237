package jangle.jdbc;

import jangle.StoreException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Operations on a SQLite database as a file (issue 17): a cheap check of its size against its header at open, an
 * online backup, a restore, and whether another process has it open.
 *
 * <p><b>The {@code -wal} file is part of the database.</b> In WAL mode a commit is written to {@code <file>-wal},
 * and copied into the main file only at a checkpoint. Copying the main file alone, or deleting the {@code -wal} file
 * after a crash, loses acknowledged commits without any error. {@link #backup} uses SQLite's online backup API, which
 * reads the database as one connection sees it (main file and WAL together) in one read transaction.
 */
public final class SqliteFiles {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** The byte of the {@code -shm} file on which every open connection holds a shared lock (SQLite's "DMS" lock). */
    private static final long SHM_DMS_BYTE = 128;
    private static final int BUSY_RETRY_MS = 100;
    private static final int BUSY_RETRIES = 300;

    private SqliteFiles() {
    }

    /**
     * Refuses a file that cannot be whole: its size is not a whole number of its pages, or (with no WAL content that
     * could supply the rest) it is shorter than the page count its header records. A file cut short would otherwise
     * open, and its lost pages read back as zeros: rows with NULL ids and read models served as if nothing were
     * wrong. This costs one 100-byte read; a full check is {@code PRAGMA integrity_check} ({@code jangle-bank check}).
     * A file that is not a SQLite database at all is left to SQLite's own error.
     *
     * @throws StoreException naming the file, its size and what its header says
     */
    public static void requireWhole(Path file) {
        String problem = wholeProblem(file);
        if (problem != null) {
            throw new StoreException("sqlite", "open", "the database file " + file + " is damaged: " + problem
                    + "; run 'jangle-bank check' on it and restore a backup");
        }
    }

    /** What {@link #requireWhole} would refuse {@code file} for, or null. */
    public static String wholeProblem(Path file) {
        long size;
        byte[] header = new byte[100];
        try {
            if (!Files.isRegularFile(file)) return null;
            size = Files.size(file);
            if (size == 0) return null; // a new database
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.wrap(header);
                while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                    // fill the header
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the header of " + file, e);
        }
        for (int i = 0; i < MAGIC.length; i++) if (header[i] != MAGIC[i]) return null;
        if (size < header.length) return "it is " + size + " bytes, shorter than a SQLite header";
        int pageSize = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
        if (pageSize == 1) pageSize = 65_536;
        if (pageSize < 512) return null; // not a header SQLite wrote; its own open will say so
        if (size % pageSize != 0) {
            return String.format(Locale.ROOT, "it is %,d bytes, not a whole number of its %,d-byte pages"
                    + " (cut short or overwritten)", size, pageSize);
        }
        long pages = readInt(header, 28) & 0xffffffffL;
        boolean countValid = pages > 0 && readInt(header, 24) == readInt(header, 92);
        Path wal = Path.of(file + "-wal");
        boolean walContent;
        try {
            walContent = Files.isRegularFile(wal) && Files.size(wal) > 32;
        } catch (IOException e) {
            walContent = true; // cannot tell: do not judge
        }
        if (countValid && !walContent && size < pages * pageSize) {
            return String.format(Locale.ROOT, "it is %,d bytes but its header records %,d pages of %,d "
                    + "bytes (%,d bytes): cut short", size, pages, pageSize, pages * pageSize);
        }
        return null;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /**
     * Copies the database {@code source} into {@code target} with SQLite's online backup API while other connections
     * and processes keep reading and writing it. The copy is taken in one step, inside one read transaction, so it is
     * exactly the database as of one commit: every transaction committed before the backup began is in it, none
     * half. Writers are not blocked (WAL). {@code target} must not exist; the copy is a complete database in one file
     * (rollback journal mode, no {@code -wal} to carry along).
     */
    public static void backup(Path source, Path target) {
        if (!Files.isRegularFile(source)) {
            throw new StoreException("sqlite", "backup", "there is no database file " + source);
        }
        if (Files.exists(target)) {
            throw new StoreException("sqlite", "backup", "the backup file " + target + " already exists; "
                    + "choose a new name (a backup never overwrites a file)");
        }
        requireWhole(source);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + source.toAbsolutePath(), readOnly())) {
            // -1: all pages in one step, so writers from other processes cannot make it restart half-way
            c.unwrap(SQLiteConnection.class).getDatabase()
                    .backup("main", target.toAbsolutePath().toString(), null, BUSY_RETRY_MS, BUSY_RETRIES, -1);
        } catch (SQLException e) {
            throw SqlErrors.storeError("sqlite", "backup of " + source + " to " + target, e);
        }
    }

    /**
     * Replaces the database {@code target} by the content of {@code backup}, with SQLite's backup API writing into
     * {@code target} in one transaction: a crash part-way leaves {@code target} as it was, and its own {@code -wal}
     * cannot be replayed over the restored pages. The caller checks the backup first and makes sure no process has
     * {@code target} open ({@link #inUse}): a running application would keep serving its cached state.
     */
    public static void restore(Path backup, Path target) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + target.toAbsolutePath())) {
            c.unwrap(SQLiteConnection.class).getDatabase()
                    .restore("main", backup.toAbsolutePath().toString(), null, BUSY_RETRY_MS, BUSY_RETRIES, -1);
        } catch (SQLException e) {
            throw SqlErrors.storeError("sqlite", "restore of " + target + " from " + backup, e);
        }
    }

    /**
     * True when another process has the WAL-mode database {@code file} open: every SQLite connection to it holds a
     * shared lock on one byte of {@code <file>-shm} for as long as it is open, and this tries to take that byte
     * exclusively (and lets it go at once). Call it only while this process has no connection to {@code file}:
     * POSIX locks belong to the process, and closing this check's file handle would drop this process's own.
     */
    public static boolean inUse(Path file) {
        Path shm = Path.of(file + "-shm");
        if (!Files.isRegularFile(shm)) return false;
        try (FileChannel ch = FileChannel.open(shm, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock(SHM_DMS_BYTE, 1, false);
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell whether " + file + " is in use (" + shm + ")", e);
        }
    }

    /** Properties of a read-only connection (nothing it runs can write the file). */
    static java.util.Properties readOnly() {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        return config.toProperties();
    }
}
