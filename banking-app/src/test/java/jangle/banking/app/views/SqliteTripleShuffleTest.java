package jangle.banking.app.views;

import jangle.EventRecord;
import jangle.banking.AccountCreated;
import jangle.banking.app.testsupport.Histories;
import jangle.jdbc.JdbcDatabase;
import jangle.test.TripleShuffle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The triple-shuffle check on SQLite files, and proof that it catches a read model that is not replay-safe. */
class SqliteTripleShuffleTest extends TripleShuffleContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.sqlite(dir.resolve("shuffle-" + UUID.randomUUID() + ".db"));
    }

    @Override
    protected int commands() {
        return 3000;
    }

    @Test
    @Tag("W5")
    @DisplayName("W5: the check fails for a writer that lets a late AccountCreated bring a deleted account back (the original's bug)")
    void catchesResurrection() {
        List<EventRecord<?>> history = Histories.get(SEED, 600);
        List<JdbcDatabase> opened = new ArrayList<>();
        try {
            assertThatThrownBy(() -> TripleShuffle.check(history, () -> resurrecting(opened), SEED))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("bank_summary");
        } finally {
            opened.forEach(JdbcDatabase::close);
        }
    }

    /** The real projection plus an unversioned "is_deleted = 0" on every AccountCreated, as the original wrote it. */
    private TripleShuffle.ShuffleTarget resurrecting(List<JdbcDatabase> opened) {
        TripleShuffle.ShuffleTarget real = target(opened);
        JdbcDatabase db = opened.getLast();
        return new TripleShuffle.ShuffleTarget() {
            @Override
            public void apply(List<EventRecord<?>> batch) {
                real.apply(batch);
                db.inTransaction(c -> {
                    for (EventRecord<?> r : batch) {
                        if (r.event() instanceof AccountCreated) {
                            try (var ps = c.prepareStatement("UPDATE bank_summary SET is_deleted = 0 WHERE account_id = ?")) {
                                ps.setString(1, r.aggregateId());
                                ps.executeUpdate();
                            }
                        }
                    }
                    return null;
                });
            }

            @Override
            public Map<String, List<List<Object>>> rows() {
                return real.rows();
            }
        };
    }
}
