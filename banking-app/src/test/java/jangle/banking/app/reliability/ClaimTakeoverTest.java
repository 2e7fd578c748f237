package jangle.banking.app.reliability;

import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.test.EmbeddedPg;
import jangle.test.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, deterministically: node A commits and never dispatches (as if it died right after its commits); node B,
 * on the same database, must leave A's deliveries alone while A's lease holds, even in its catch-up pass at start,
 * and take them over once the lease has run out. Then a restarted A takes back at once what it still holds.
 */
class ClaimTakeoverTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @Tag("MN2")
    @DisplayName("Issue 6: on PostgreSQL another node takes over a silent node's deliveries only after its lease")
    void postgres() {
        takeover(BankingConfig.database(EmbeddedPg.newDatabaseUrl(), "postgres", "postgres"));
    }

    @Test
    @Tag("MN2")
    @DisplayName("Issue 6: on one SQLite file another node takes over a silent node's deliveries only after its lease")
    void sqlite() {
        takeover(BankingConfig.sqlite(dir.resolve("claims.db")));
    }

    private static BankingConfig node(BankingConfig base, String id, MutableClock clock) {
        return base.withClock(clock).withEnvironment(Map.of("JANGLE_NODE_ID", id,
                "JANGLE_FAILED_EVENTS_MAX_AGE", LEASE.toSeconds() + "s", "JANGLE_FAILED_EVENTS_RETRY_INTERVAL", "1h",
                "JANGLE_SAGA_RETRY_INTERVAL", "1h"));
    }

    private static void takeover(BankingConfig base) {
        MutableClock clock = new MutableClock(Instant.now());
        String id;
        try (BankingApplication a = BankingApplication.open(node(base, "node-a", clock))) {
            // not started: A commits, its live dispatch never runs
            id = a.jangle().send(new CreateAccount("Silent node", new BigDecimal("10.00"), null))
                    .acceptedData(String.class);
            assertThat(a.jangle().send(new DepositFunds(id, new BigDecimal("5.00"), null)).isAccepted()).isTrue();
            long held = a.pendingDeliveries();
            assertThat(held).as("deliveries of A's commits").isPositive();

            try (BankingApplication b = BankingApplication.open(node(base, "node-b", clock))) {
                b.start(); // B's catch-up pass at start
                assertThat(b.pendingDeliveries()).as("B's catch-up leaves A's held deliveries alone").isEqualTo(held);
                clock.advance(LEASE.minusSeconds(1));
                assertThat(b.jangle().operations().runEventDaemonPass()).as("A's lease still holds").isZero();

                clock.advance(Duration.ofSeconds(1));
                assertThat(b.jangle().operations().runEventDaemonPass()).as("B takes over at the end of the lease")
                        .isEqualTo((int) held);
                assertThat(b.pendingDeliveries()).isZero();
                assertThat(b.queries().accountSummary(id).orElseThrow().balance()).isEqualByComparingTo("15.00");
            }
            assertThat(a.jangle().send(new DepositFunds(id, new BigDecimal("1.00"), null)).isAccepted()).isTrue();
        }
        try (BankingApplication restarted = BankingApplication.open(node(base, "node-a", clock))) {
            restarted.start(); // same node id: its catch-up takes back what A held, without waiting for the lease
            assertThat(restarted.pendingDeliveries()).isZero();
            assertThat(restarted.queries().accountSummary(id).orElseThrow().balance()).isEqualByComparingTo("16.00");
        }
    }
}
