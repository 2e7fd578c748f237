package jangle.banking.app.reliability;

import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.banking.app.views.BankViews;
import jangle.spi.Checkpoints;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6 with segment leases (D21), deterministically: node A holds every segment of {@code bank-views} and goes
 * silent (as if killed: its lease rows stay, nothing renews them). Node B, on the same database, must leave those
 * segments alone while A's lease holds, and take them over once it has run out; the views then catch up with
 * nothing lost or doubled. A restarted A (same node id) then works on alongside.
 */
class ClaimTakeoverTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @Tag("D21")
    @Tag("MN2")
    @DisplayName("D21, MN2: on PostgreSQL another node takes over a silent node's segments only after its lease")
    void postgres() throws Exception {
        takeover(BankingConfig.database(EmbeddedPg.newDatabaseUrl(), "postgres", "postgres"));
    }

    @Test
    @Tag("D21")
    @Tag("MN2")
    @DisplayName("D21, MN2: on one SQLite file another node takes over a silent node's segments only after its lease")
    void sqlite() throws Exception {
        takeover(BankingConfig.sqlite(dir.resolve("claims.db")));
    }

    private static BankingConfig node(BankingConfig base, String id, MutableClock clock) {
        return base.withClock(clock).withEnvironment(Map.of("JANGLE_NODE_ID", id,
                "JANGLE_PROCESSOR_LEASE", LEASE.toSeconds() + "s", "JANGLE_SAGA_RETRY_INTERVAL", "1h"));
    }

    private static void takeover(BankingConfig base) throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        String id;
        try (BankingApplication a = BankingApplication.open(node(base, "node-a", clock))) {
            // not started: A commits; then it claims every bank-views segment and falls silent
            id = a.jangle().send(new CreateAccount("Silent node", new BigDecimal("10.00"), null))
                    .acceptedData(String.class);
            assertThat(a.jangle().send(new DepositFunds(id, new BigDecimal("5.00"), null)).isAccepted()).isTrue();
            Checkpoints cps = a.jangle().stores().events().checkpoints();
            cps.register(BankViews.NAME, 4, Checkpoints.Start.BEGINNING);
            cps.heartbeat("node-a", clock.instant(), LEASE);
            assertThat(cps.claim(BankViews.NAME, "node-a", clock.instant(), LEASE, 4)).hasSize(4);
            long head = a.jangle().stores().events().lastPosition();

            try (BankingApplication b = BankingApplication.open(node(base, "node-b", clock))) {
                b.start();
                // B runs the processors nobody holds, but not A's segments while A's lease holds
                assertThat(b.awaitProcessors(head, Duration.ofSeconds(3), BankViews.NAME)).isFalse();
                assertThat(owners(b)).containsOnly("node-a");
                assertThat(b.queries().accountSummary(id)).isEmpty();
                clock.advance(LEASE.minusSeconds(1));
                Thread.sleep(1500); // at least one lease round of B
                assertThat(owners(b)).as("A's lease still holds").containsOnly("node-a");

                clock.advance(Duration.ofSeconds(2));
                assertThat(b.awaitProcessors(head, Duration.ofSeconds(30), BankViews.NAME))
                        .as("B takes over at the end of the lease").isTrue();
                assertThat(owners(b)).containsOnly("node-b");
                assertThat(b.queries().accountSummary(id).orElseThrow().balance()).isEqualByComparingTo("15.00");
                assertThat(b.pendingDeliveries()).isZero();
                assertThat(b.verifyReplay(null)).as("views == replay: nothing lost, nothing doubled").isEmpty();
            }
            assertThat(a.jangle().send(new DepositFunds(id, new BigDecimal("1.00"), null)).isAccepted()).isTrue();
        }
        try (BankingApplication restarted = BankingApplication.open(node(base, "node-a", clock))) {
            restarted.start();
            long head = restarted.jangle().stores().events().lastPosition();
            assertThat(restarted.awaitProcessors(head, Duration.ofSeconds(30))).isTrue();
            assertThat(restarted.queries().accountSummary(id).orElseThrow().balance()).isEqualByComparingTo("16.00");
        }
    }

    /** The owners of bank-views' segments, as the store has them (unexpired or not). */
    private static List<String> owners(BankingApplication app) {
        return app.jangle().stores().events().checkpoints().all().stream()
                .filter(c -> c.processor().equals(BankViews.NAME))
                .map(c -> c.owner().orElse("-")).toList();
    }
}
