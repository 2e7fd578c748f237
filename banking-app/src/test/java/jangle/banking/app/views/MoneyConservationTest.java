package jangle.banking.app.views;

import jangle.EventRecord;
import jangle.banking.BankInvariants;
import jangle.test.EmbeddedPg;
import jangle.banking.app.testsupport.Histories;
import jangle.jdbc.JdbcDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conservation of money (banking.md W7, W9) after random histories, checked on the read models: the sum of all
 * balances in {@code bank_summary} (deleted accounts included) equals deposits − withdrawals + forgiven debts, to the
 * cent, once mediation and sagas have settled.
 */
class MoneyConservationTest {
    @TempDir
    Path dir;

    private static MoneyTotals totals(JdbcDatabase db, List<EventRecord<?>> deliveries) {
        BankViews views = new BankViews(db);
        views.createSchema();
        for (int i = 0; i < deliveries.size(); i += 200) {
            views.handleBatch(BankViews.bankEvents(deliveries.subList(i, Math.min(deliveries.size(), i + 200))));
        }
        return new BankQueries(db, Clock.systemUTC()).moneyTotals();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    @Tag("W7")
    @Tag("W9")
    @DisplayName("W7, W9: after a settled random history money is conserved on the events (BankInvariants) and on the read models (SQLite)")
    void conservedOnSqlite(long seed) {
        List<EventRecord<?>> history = Histories.get(seed, 800);
        BankInvariants.Report onEvents = BankInvariants.of(history);
        assertThat(onEvents.holds()).as(onEvents.describe()).isTrue();
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("w9-" + seed + ".db"))) {
            MoneyTotals t = totals(db, history);
            assertThat(t.deposits().signum()).isPositive();
            assertThat(t.withdrawals().signum()).isPositive();
            assertThat(t.debtsForgiven().signum()).isPositive();
            assertThat(t.balances()).as("sum of balances vs deposits - withdrawals + forgiven")
                    .isEqualTo(t.expectedBalances());
            assertThat(t.conserved()).isTrue();
            assertThat(t.balances()).as("read models agree with the events").isEqualTo(onEvents.totalBalance());
            assertThat(t.deposits()).isEqualTo(onEvents.deposits());
            assertThat(t.withdrawals()).isEqualTo(onEvents.withdrawals());
            assertThat(t.debtsForgiven()).isEqualTo(onEvents.forgiven());
        }
    }

    @Test
    @Tag("W5")
    @Tag("W9")
    @DisplayName("W9, W5: money is conserved on read models rebuilt from the history three times shuffled (SQLite)")
    void conservedAfterShuffledReplay() {
        List<EventRecord<?>> history = Histories.get(4, 800);
        List<EventRecord<?>> tripled = new ArrayList<>();
        for (int i = 0; i < 3; i++) tripled.addAll(history);
        Collections.shuffle(tripled, new Random(4));
        try (JdbcDatabase db = JdbcDatabase.sqlite(dir.resolve("w9-shuffled.db"))) {
            assertThat(totals(db, tripled).conserved()).isTrue();
        }
    }

    @Test
    @Tag("W7")
    @Tag("W9")
    @DisplayName("W7, W9: the read models conserve money after a settled random history (PostgreSQL)")
    void conservedOnPostgres() {
        List<EventRecord<?>> history = Histories.get(1, 800);
        try (JdbcDatabase db = JdbcDatabase.open(EmbeddedPg.newDatabaseUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD)) {
            MoneyTotals t = totals(db, history);
            assertThat(t.balances()).isEqualTo(t.expectedBalances());
        }
    }
}
