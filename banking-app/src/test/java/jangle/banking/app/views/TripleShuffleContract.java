package jangle.banking.app.views;

import jangle.EventRecord;
import jangle.banking.BankEvent;
import jangle.banking.app.testsupport.Histories;
import jangle.jdbc.JdbcDatabase;
import jangle.test.TripleShuffle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The triple-shuffle check (framework.md R5, banking.md W5) of the {@code bank-views} projection on a long random
 * banking history made by the real domain: tables built by delivering the history in order equal, row for row,
 * tables built from the history repeated three times and shuffled.
 */
abstract class TripleShuffleContract {
    static final long SEED = 20260301L;

    protected abstract JdbcDatabase newDatabase() throws Exception;

    /** Commands in the random history; thousands. */
    protected abstract int commands();

    /** A fresh, empty read model in a new database; remembered in {@code opened} to be closed. */
    protected TripleShuffle.ShuffleTarget target(List<JdbcDatabase> opened) {
        try {
            JdbcDatabase db = newDatabase();
            opened.add(db);
            BankViews views = new BankViews(db);
            views.createSchema();
            return new TripleShuffle.ShuffleTarget() {
                @Override
                public void apply(List<EventRecord<?>> batch) {
                    views.handleBatch(BankViews.bankEvents(batch));
                }

                @Override
                public Map<String, List<List<Object>>> rows() {
                    return ViewTables.dump(db);
                }
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Tag("R5")
    @Tag("W5")
    @DisplayName("W5, R5: views built in order equal views rebuilt from the history three times shuffled, row for row")
    void tripleShuffle() {
        List<EventRecord<?>> history = Histories.get(SEED, commands());
        assertThat(history.size()).as("events in the history").isGreaterThan(2000);
        Set<String> kinds = history.stream().map(EventRecord::type).collect(Collectors.toSet());
        assertThat(kinds).as("every kind of bank event occurs")
                .containsAll(Arrays.stream(BankEvent.class.getPermittedSubclasses()).map(Class::getSimpleName).toList());
        List<JdbcDatabase> opened = new ArrayList<>();
        try {
            TripleShuffle.check(history, () -> target(opened), SEED);
        } finally {
            opened.forEach(JdbcDatabase::close);
        }
    }
}
