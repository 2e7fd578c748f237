package jangle.banking.app.reliability;

import jangle.Command;
import jangle.CommandResponse;
import jangle.ConsistencyToken;
import jangle.banking.AcceptRequest;
import jangle.banking.AccountAggregate;
import jangle.banking.ChangeAccountName;
import jangle.banking.CreateAccount;
import jangle.banking.DeleteAccount;
import jangle.banking.DepositFunds;
import jangle.banking.ForgiveDebt;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.test.EmbeddedPg;
import jangle.banking.app.views.BankViews;
import jangle.test.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5 §4 through the running application: commands that are well formed but wrong for the bank's state
 * (unknown and deleted accounts, unknown and reused transaction ids, an expired request, the floor, forgiveness that
 * does not apply) are rejected with a reason that names the problem, write no event, change no read-model row, and
 * the application goes on serving. On a real SQLite file and a real PostgreSQL.
 */
class RejectedCommandsTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("Issue 5 §4: state-invalid commands on SQLite: a clear reason each, nothing written, still serving")
    void sqlite() {
        rejectedWithoutTrace(BankingConfig.sqlite(dir.resolve("bad.db")));
    }

    @Test
    @DisplayName("Issue 5 §4: state-invalid commands on PostgreSQL: a clear reason each, nothing written, still serving")
    void postgres() {
        rejectedWithoutTrace(BankingConfig.database(EmbeddedPg.newDatabaseUrl(), "postgres", "postgres"));
    }

    private record Case(Command command, String reasonContains) {
    }

    private static void rejectedWithoutTrace(BankingConfig base) {
        MutableClock clock = new MutableClock(Instant.now());
        try (BankingApplication app = BankingApplication.open(base.withClock(clock).withEnvironment(Map.of()))) {
            app.start();
            String alice = open(app, "Alice Liddell", "50.00");
            String bob = open(app, "Bob Builder", "20.00");
            String gone = open(app, "Gone Away", null);
            assertThat(app.jangle().send(new DeleteAccount(gone)).isAccepted()).isTrue();
            assertThat(app.jangle().send(new DepositFunds(alice, new BigDecimal("1.00"), "tx-used")).isAccepted())
                    .isTrue();
            Request expiring = new Request(alice, bob, new BigDecimal("5.00"), null);
            assertThat(app.jangle().send(expiring).isAccepted()).isTrue();
            awaitReceived(app, bob); // the Request saga tells the funding account asynchronously
            clock.advance(AccountAggregate.REQUEST_TIMEOUT.plus(Duration.ofSeconds(1)));
            app.jangle().operations().runSagaDaemonPass(); // the Request saga times out
            // the read models must have caught up before they are compared to themselves after the rejections
            app.jangle().awaitHandled(new ConsistencyToken(BankViews.NAME, 0,
                    app.jangle().stores().events().lastPosition()), Duration.ofSeconds(30), BankViews.NAME);

            String missing = "999999";
            List<Case> cases = List.of(
                    new Case(new DepositFunds(missing, new BigDecimal("1.00"), null), "does not exist"),
                    new Case(new WithdrawFunds(missing, new BigDecimal("1.00"), null), "does not exist"),
                    new Case(new ChangeAccountName(missing, "Nobody Here"), "does not exist"),
                    new Case(new DepositFunds(gone, new BigDecimal("1.00"), null), "deleted"),
                    new Case(new WithdrawFunds(gone, new BigDecimal("1.00"), null), "deleted"),
                    new Case(new ChangeAccountName(gone, "Still Gone"), "deleted"),
                    new Case(new Transfer(gone, alice, new BigDecimal("1.00"), null), "deleted"),
                    new Case(new WithdrawFunds(bob, new BigDecimal("120.01"), null), "Insufficient funds"),
                    new Case(new Transfer(bob, alice, new BigDecimal("120.01"), null), "Insufficient funds"),
                    new Case(new ForgiveDebt(alice, null), "not applicable"),
                    new Case(new DepositFunds(alice, new BigDecimal("2.00"), "tx-used"), "tx-used"),
                    new Case(new AcceptRequest(bob, "tx-unknown"), "tx-unknown"),
                    new Case(new RejectRequest(bob, "tx-unknown"), "tx-unknown"),
                    new Case(new AcceptRequest(bob, expiring.transactionId()), "timed out"),
                    new Case(new RejectRequest(bob, expiring.transactionId()), "timed out"));

            long positionBefore = app.jangle().stores().events().lastPosition();
            var listBefore = app.queries().accountsList();
            var totalsBefore = app.queries().moneyTotals();
            var ledgerBefore = app.queries().accountLedger(alice);
            List<String> reasons = new ArrayList<>();
            for (Case c : cases) {
                CommandResponse r = app.jangle().send(c.command());
                assertThat(r.isAccepted()).as("%s accepted", c.command()).isFalse();
                assertThat(r.rejectionReason()).as("reason for %s", c.command()).containsIgnoringCase(c.reasonContains());
                reasons.add(r.rejectionReason());
            }
            assertThat(app.jangle().stores().events().lastPosition()).as("no event written").isEqualTo(positionBefore);
            assertThat(app.queries().accountsList()).isEqualTo(listBefore);
            assertThat(app.queries().moneyTotals()).isEqualTo(totalsBefore);
            assertThat(app.queries().accountLedger(alice)).isEqualTo(ledgerBefore);
            assertThat(app.pendingDeliveries()).isZero();

            assertThat(app.jangle().send(new DepositFunds(bob, new BigDecimal("3.00"), null)).isAccepted())
                    .as("still serving").isTrue();
            assertThat(reasons).hasSize(cases.size());
        }
    }

    private static void awaitReceived(BankingApplication app, String funding) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // The summary row itself may not be there yet: read models are written after the command returns.
        while (app.queries().accountSummary(funding).map(s -> s.pendingRequests().isEmpty()).orElse(true)) {
            assertThat(System.nanoTime()).as("request received by %s", funding).isLessThan(deadline);
            Thread.onSpinWait(); // the read model catches up within milliseconds
        }
    }

    private static String open(BankingApplication app, String name, String deposit) {
        CommandResponse r = app.jangle().send(new CreateAccount(name, deposit == null ? null : new BigDecimal(deposit),
                null));
        assertThat(r.isAccepted()).isTrue();
        return r.acceptedData(String.class);
    }
}
