package jangle.jdbc;

import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresConcurrencyTest extends ConcurrencyCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }

    @Test
    @Tag("D21")
    @DisplayName("D21: a claim does not wait for an own checkpoint row locked by a running write (which could "
            + "deadlock with a group of appends); the row is still reported held, and a locked free row is skipped")
    void claimSkipsLockedRows() throws Exception {
        Checkpoints cps = TestEvents.open(db, 10).events().checkpoints();
        cps.register("p", 3, Checkpoints.Start.BEGINNING);
        Instant now = Instant.now();
        cps.claim("p", "n1", now, Duration.ofMinutes(5), 2); // segments 0 and 1
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> db.inTransaction(c -> {
            // as an append's advance would: row 0 (held by n1) and the free row 2 stay locked until commit
            new SqlStatement("UPDATE jangle_checkpoints SET updated_at = updated_at WHERE segment IN (0, 2)",
                    List.of()).execute(c);
            locked.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        try {
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            List<Checkpoint> held = cps.claim("p", "n1", now.plusSeconds(1), Duration.ofMinutes(5), 3);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(held).extracting(Checkpoint::segment).as("0 still held, 2 skipped").containsExactly(0, 1);
            assertThat(tookMs).as("did not wait for the locks").isLessThan(2_000);
            assertThat(cps.claim("p", "n2", now.plusSeconds(1), Duration.ofMinutes(5), 3)).isEmpty();
        } finally {
            release.countDown();
            writer.join(10_000);
        }
        assertThat(cps.claim("p", "n1", now.plusSeconds(2), Duration.ofMinutes(5), 3))
                .extracting(Checkpoint::segment).containsExactly(0, 1, 2);
    }
}
