package jangle.kafka;

import jangle.StoreException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * The publisher's durable progress: the highest global position whose event Kafka has acknowledged. The publisher
 * advances it only after a flushed batch, so it never runs ahead of Kafka (no loss) and lags by at most one batch
 * (the duplicate bound after a crash).
 */
public interface PublisherCursor {
    /** The last position known to be in Kafka; 0 when nothing was published yet. */
    long read();

    /** Stores {@code position} durably before returning; never moves the cursor backwards. */
    void advance(long position);

    /** A cursor in a small file, replaced atomically and forced to disk on every advance. */
    static PublisherCursor file(Path file) {
        Objects.requireNonNull(file, "file");
        return new PublisherCursor() {
            @Override
            public long read() {
                try {
                    return Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the publisher cursor " + file, e);
                }
            }

            @Override
            public void advance(long position) {
                if (position <= read()) return;
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(ByteBuffer.wrap(Long.toString(position).getBytes(StandardCharsets.US_ASCII)));
                    ch.force(true);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the publisher cursor " + tmp, e);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new UncheckedIOException("the file system cannot replace " + file + " atomically", e);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot replace the publisher cursor " + file, e);
                }
            }
        };
    }

    /** One unit of JDBC work, run by the caller's transaction runner. */
    @FunctionalInterface
    interface ConnectionWork {
        void run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@link ConnectionWork} in one committed write transaction, for example
     * {@code w -> jdbcDatabase.inTransaction(c -> { w.run(c); return null; })}, so the cursor shares the store's
     * database (SQLite or PostgreSQL) and its writer discipline.
     */
    @FunctionalInterface
    interface Transactions {
        void run(ConnectionWork work);
    }

    /**
     * A cursor row {@code (name, position)} in table {@code jangle_kafka_cursor} of the store's own database, created
     * when missing (SQL in {@code jangle/kafka/cursor.sql}, portable between SQLite and PostgreSQL).
     */
    static PublisherCursor jdbc(Transactions transactions, String name) {
        Objects.requireNonNull(transactions, "transactions");
        Objects.requireNonNull(name, "name");
        CursorSql sql = CursorSql.load();
        transactions.run(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql.create());
            }
        });
        return new PublisherCursor() {
            @Override
            public long read() {
                long[] out = {0};
                transactions.run(c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql.select())) {
                        ps.setString(1, name);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) out[0] = rs.getLong(1);
                        }
                    }
                });
                return out[0];
            }

            @Override
            public void advance(long position) {
                transactions.run(c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql.upsert())) {
                        ps.setString(1, name);
                        ps.setLong(2, position);
                        ps.executeUpdate();
                    }
                });
            }
        };
    }

    /** The three statements of {@code jangle/kafka/cursor.sql}, separated by lines {@code -- name: <statement>}. */
    record CursorSql(String create, String select, String upsert) {
        static CursorSql load() {
            String text;
            try (var in = PublisherCursor.class.getResourceAsStream("/jangle/kafka/cursor.sql")) {
                if (in == null) throw new StoreException("kafka-cursor", "load", new IOException("cursor.sql missing"));
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new StoreException("kafka-cursor", "load", e);
            }
            var parts = new java.util.HashMap<String, String>();
            String current = null;
            StringBuilder body = new StringBuilder();
            for (String line : text.split("\n")) {
                if (line.startsWith("-- name: ")) {
                    if (current != null) parts.put(current, body.toString().trim());
                    current = line.substring("-- name: ".length()).trim();
                    body.setLength(0);
                } else if (current != null && !line.startsWith("--")) {
                    body.append(line).append('\n');
                }
            }
            if (current != null) parts.put(current, body.toString().trim());
            return new CursorSql(parts.get("create"), parts.get("select"), parts.get("upsert"));
        }
    }
}
