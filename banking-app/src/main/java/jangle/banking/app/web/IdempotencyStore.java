package jangle.banking.app.web;

import jangle.banking.app.views.NamedSql;
import jangle.jdbc.JdbcDatabase;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The first answer to each (user, {@code Idempotency-Key}), kept in the bank's database (table
 * {@code web_idempotency}) so that a repeat gets the same answer also after a restart. A repeat whose request (method,
 * path and body) differs from the first is refused: the key names one request, not a slot to reuse.
 *
 * <p>Two requests with one key in this process are serialised by a striped lock, so the second sees the first's
 * answer. Across processes the command itself is idempotent: the API derives the command's transaction id from the
 * key, so a racing duplicate on another node changes nothing (the domain dedups by transaction id), and only one
 * answer is stored ({@code ON CONFLICT DO NOTHING}).
 */
final class IdempotencyStore {
    /** A stored answer. */
    record Answer(String requestHash, int status, String body) {
    }

    /** What {@link #run} did: {@code replayed} is true when the answer came from the store. */
    record Outcome(int status, String body, boolean replayed, boolean conflict) {
    }

    private final JdbcDatabase db;
    private final NamedSql sql;
    private final Clock clock;
    private final ReentrantLock[] stripes = new ReentrantLock[64];

    IdempotencyStore(JdbcDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.sql = NamedSql.load("jangle/banking/web/queries.sql");
        for (int i = 0; i < stripes.length; i++) stripes[i] = new ReentrantLock();
    }

    /**
     * Runs {@code action} once for this key: a repeat with the same request hash returns the stored answer, one with
     * another hash returns {@code conflict}. Answers of 5xx are not stored (the client may retry them).
     */
    Outcome run(String principal, String key, String requestHash, Supplier<Answer> action) {
        ReentrantLock lock = stripes[Math.floorMod((principal + '\0' + key).hashCode(), stripes.length)];
        lock.lock();
        try {
            Optional<Answer> stored = find(principal, key);
            if (stored.isPresent()) {
                Answer a = stored.get();
                if (!UserStore.constantTimeEquals(a.requestHash(), requestHash)) {
                    return new Outcome(409, null, false, true);
                }
                return new Outcome(a.status(), a.body(), true, false);
            }
            Answer fresh = action.get();
            if (fresh.status() < 500) save(principal, key, requestHash, fresh);
            return new Outcome(fresh.status(), fresh.body(), false, false);
        } finally {
            lock.unlock();
        }
    }

    private Optional<Answer> find(String principal, String key) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.get("idempotency.find"))) {
                s.setString(1, principal);
                s.setString(2, key);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(new Answer(rs.getString(1), rs.getInt(2), rs.getString(3)))
                            : Optional.empty();
                }
            }
        });
    }

    private void save(String principal, String key, String requestHash, Answer answer) {
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.get("idempotency.insert"))) {
                s.setString(1, principal);
                s.setString(2, key);
                s.setString(3, requestHash);
                s.setInt(4, answer.status());
                s.setString(5, answer.body());
                s.setString(6, clock.instant().toString());
                return s.executeUpdate();
            }
        });
    }
}
