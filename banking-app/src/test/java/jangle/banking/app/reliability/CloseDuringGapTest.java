package jangle.banking.app.reliability;

import jangle.banking.CreateAccount;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.RowDifference;
import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A regression found by {@code MultiNodeTest} (the read models 300.00 short, once on SQLite and once on PostgreSQL):
 * an application closed right after its first commands. A segment worker that got its first handed-over list before
 * its leases (so it dropped it), then saw the next list's gap while closing, skipped the gap's feed read (it stops when
 * closing) but still ran the lists after the gap and moved its checkpoint past the events it never read: the first
 * account's creation and deposit were missing from {@code bank-views} for good. Before the fix, 8 of 280 rounds
 * showed it (five runs: 1, 4, 2 and 0 in 40 rounds, 1 in 80); each round is a fresh database, alternately SQLite and
 * PostgreSQL.
 */
class CloseDuringGapTest {
    private static final int ROUNDS = 80;

    @TempDir
    Path dir;

    @Test
    @Tag("D2")
    @DisplayName("D2: an application closed right after its first commands leaves no event unread behind a "
            + "checkpoint: the next start's read models equal a replay, on SQLite and PostgreSQL, 80 rounds")
    void closingRightAfterTheFirstCommands() throws Exception {
        List<String> broken = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String store = round % 2 == 0 ? EmbeddedPg.newDatabaseUrl() : dir.resolve("r" + round + ".db").toString();
            try (BankingApplication app = BankingApplication.open(CrashWorkload.config(store).withEnvironment(Map.of()))) {
                app.start();
                for (int i = 0; i < 5; i++) {
                    assertThat(app.jangle().send(new CreateAccount("Holder " + i, new BigDecimal("300.00"), null))
                            .isAccepted()).isTrue();
                }
            } // closed at once, while the processors may still be starting
            try (BankingApplication app = BankingApplication.open(CrashWorkload.config(store).withEnvironment(Map.of()))) {
                app.start();
                long head = app.jangle().stores().events().lastPosition();
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (app.jangle().operations().processors().stream().anyMatch(p -> p.position() < head)) {
                    assertThat(System.nanoTime()).as("round %d: processors at the head %d", round, head)
                            .isLessThan(giveUp);
                    Thread.sleep(10);
                }
                List<RowDifference> differences = app.verifyReplay(null);
                if (!differences.isEmpty()) broken.add("round " + round + " (" + store + "): " + differences);
            }
        }
        assertThat(broken).as("rounds whose read models differ from a replay").isEmpty();
    }
}
