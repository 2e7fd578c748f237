package jangle.banking.app.cli;

import jangle.CommandResponse;
import jangle.Jangle;
import jangle.banking.AccountSummary;
import jangle.banking.AccountSummaryView;
import jangle.banking.DebtForgiven;
import jangle.banking.FundsDeposited;
import jangle.banking.FundsWithdrawn;
import jangle.banking.RequestReceived;
import jangle.banking.app.BankingApplication;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The CLI's {@code --json} output and outcome logic, opened to the HTTP API ({@code jangle.banking.app.web}) so that
 * both speak the same field names and decide outcomes the same way, from the event store ({@link Outcomes}). One
 * instance holds one thread-safe mapper.
 */
public final class CommandFacts {
    private final JsonOutput json = new JsonOutput();

    /** Any value as one line of the {@code --json} form (exact decimals, ISO-8601 instants). */
    public String json(Object value) {
        return json.write(value);
    }

    /** The command response object of cli.md §5 with the command's own facts appended. */
    public static Map<String, Object> response(CommandResponse r, Map<String, Object> extra) {
        return JsonOutput.response(r, extra);
    }

    /** Waits, at most {@code max}, for the chain of this correlation id to settle (CA3); false on timeout. */
    public static boolean settle(Jangle jangle, UUID correlationId, Duration max) {
        return Outcomes.settle(jangle, correlationId, max);
    }

    /** {@code credited}, {@code returned} or {@code in progress}: what a transfer became. */
    public static String transferOutcome(BankingApplication app, String funding, String funded, String tx) {
        return Outcomes.transfer(app.jangle().stores().events(), funding, funded, tx).text;
    }

    /** {@code credited}, {@code failed}, {@code returned} or {@code in progress}: what an accepted request became. */
    public static String acceptOutcome(BankingApplication app, String funding, String tx) {
        var store = app.jangle().stores().events();
        return Outcomes.receivedRequest(store, funding, tx)
                .map(RequestReceived::fundedAccountId)
                .map(requester -> Outcomes.accept(store, funding, requester, tx).text)
                .orElse(Outcomes.AcceptOutcome.IN_PROGRESS.text);
    }

    /** The balance after a deposit or withdrawal: the read model's (settled), else the committed event's. */
    public static BigDecimal balanceAfter(BankingApplication app, String account, String tx, boolean deposit) {
        var store = app.jangle().stores().events();
        Optional<BigDecimal> fromEvent = deposit
                ? Outcomes.find(store, account, FundsDeposited.class, e -> e.transactionId().equals(tx))
                .map(FundsDeposited::balance)
                : Outcomes.find(store, account, FundsWithdrawn.class, e -> e.transactionId().equals(tx))
                .map(FundsWithdrawn::balance);
        Optional<BigDecimal> fromView = app.jangle().query(new AccountSummary(account))
                .map(AccountSummaryView::balance);
        return fromView.or(() -> fromEvent).orElse(null);
    }

    /** The amount a {@code ForgiveDebt} forgave; 0.00 when there was no debt. */
    public static BigDecimal forgiven(BankingApplication app, String account, String tx) {
        return Outcomes.find(app.jangle().stores().events(), account, DebtForgiven.class,
                        e -> e.transactionId().equals(tx))
                .map(DebtForgiven::amount).orElse(new BigDecimal("0.00"));
    }
}
