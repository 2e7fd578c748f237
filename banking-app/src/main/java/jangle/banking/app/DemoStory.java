package jangle.banking.app;

import jangle.Command;
import jangle.CommandResponse;
import jangle.ConsistencyTimeoutException;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.SendOptions;
import jangle.banking.AcceptRequest;
import jangle.banking.AccountCreated;
import jangle.banking.AccountDeleted;
import jangle.banking.AccountIdProvisioned;
import jangle.banking.AccountListItem;
import jangle.banking.AccountNameChanged;
import jangle.banking.AccountsList;
import jangle.banking.BankEvent;
import jangle.banking.BankStatistics;
import jangle.banking.BankStats;
import jangle.banking.ChangeAccountName;
import jangle.banking.CreateAccount;
import jangle.banking.DebtForgiven;
import jangle.banking.DeleteAccount;
import jangle.banking.DepositFunds;
import jangle.banking.ForgiveDebt;
import jangle.banking.FundsDeposited;
import jangle.banking.FundsWithdrawn;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.RequestApproved;
import jangle.banking.RequestCreated;
import jangle.banking.RequestCredited;
import jangle.banking.RequestDebitRolledBack;
import jangle.banking.RequestDebited;
import jangle.banking.RequestReceived;
import jangle.banking.RequestRejected;
import jangle.banking.RequestRejectionReceived;
import jangle.banking.Transfer;
import jangle.banking.TransferCredited;
import jangle.banking.TransferDebitRolledBack;
import jangle.banking.TransferDebited;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.views.MoneyTotals;
import jangle.spi.EventStore;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The scripted story of banking.md §11 (steps 1–18 and the epilogue 19–23), run through a {@link BankingApplication}
 * with dispatch started. Each step sends one command with its own correlation id, waits until the whole chain it
 * caused has settled (CA3: mediation, saga steps and the read models; at most {@link #STEP_TIMEOUT}), and compares
 * the response, the events the chain committed (type, stream, version, amount, balance, name) and both balances
 * with the story. Steps 21–23 check the queries and money conservation on both the events and the read models.
 *
 * <p>The story stops at the first step that differs. It prints nothing: each finished step goes to the
 * {@link StepListener}, and the terminal's {@code demo} prints {@code Step n: <title>} followed by
 * {@link StepResult#lines()} (cli.md §5.1).
 */
public final class DemoStory {
    /** Longest wait for one step's chain to settle (banking.md §11: 5 s per step at most). */
    public static final Duration STEP_TIMEOUT = Duration.ofSeconds(5);

    /** The number of steps of the story. */
    public static final int STEPS = 23;

    private static final String A1 = "000001";
    private static final String A2 = "000002";
    private static final String NO_ACCOUNT = "(none)";

    /** Receives each step as it finishes. */
    @FunctionalInterface
    public interface StepListener {
        void stepFinished(StepResult step);

        StepListener NONE = step -> { };
    }

    /**
     * One finished step.
     *
     * @param number   1 to 23
     * @param title    what the step does, for {@code Step n: <title>}
     * @param passed   true when the actual outcome equals the expected one
     * @param expected the expected outcome as text (response, event lines, balances or query result)
     * @param actual   the actual outcome in the same form
     * @param lines    what to print under the title: the response, then one line per event, each indented by two
     *                 spaces (cli.md §5.1)
     */
    public record StepResult(int number, String title, boolean passed, String expected, String actual,
                             List<String> lines) {
        public StepResult {
            lines = List.copyOf(lines);
        }
    }

    /** The steps run, in order; the last is the first failure when the story did not pass. */
    public record Outcome(List<StepResult> steps) {
        public Outcome {
            steps = List.copyOf(steps);
        }

        /** True when every step of the story ran and matched. */
        public boolean passed() {
            return steps.size() == STEPS && steps.stream().allMatch(StepResult::passed);
        }

        public Optional<StepResult> firstFailure() {
            return steps.stream().filter(s -> !s.passed()).findFirst();
        }
    }

    /**
     * Runs the story. Starts dispatch if it is not running yet.
     *
     * @throws IllegalStateException when the store already holds events (the story needs account ids 000001 and
     *                               000002)
     */
    public Outcome run(BankingApplication app, StepListener listener) {
        if (app.storeHasEvents()) throw new IllegalStateException("the demo needs an empty store");
        app.start();
        return new Run(app, listener == null ? StepListener.NONE : listener).all();
    }

    /** One run's state: the steps so far and the transaction ids the later steps refer to. */
    private static final class Run {
        private final BankingApplication app;
        private final Jangle jangle;
        private final EventStore store;
        private final StepListener listener;
        private final List<StepResult> done = new ArrayList<>();

        Run(BankingApplication app, StepListener listener) {
            this.app = app;
            this.jangle = app.jangle();
            this.store = jangle.stores().events();
            this.listener = listener;
        }

        Outcome all() {
            boolean ok = command(1, "Create account HSPBC", new CreateAccount("HSPBC", null, null),
                    "accepted, 000001", "0.00", NO_ACCOUNT,
                    "AccountIdProvisioned ACCOUNT_CREATION_AGGREGATE v1 accountId 000001",
                    "AccountCreated 000001 v1 name HSPBC")
                    && command(2, "Create account Natalie with 100.00",
                    new CreateAccount("Natalie", money("100"), null),
                    "accepted, 000002", "0.00", "100.00",
                    "AccountIdProvisioned ACCOUNT_CREATION_AGGREGATE v2 accountId 000002",
                    "AccountCreated 000002 v1 name Natalie",
                    "FundsDeposited 000002 v2 amount 100.00 balance 100.00")
                    && command(3, "Deposit 50.50 into 000001", new DepositFunds(A1, money("50.50"), null),
                    "accepted", "50.50", "100.00",
                    "FundsDeposited 000001 v2 amount 50.50 balance 50.50")
                    && command(4, "Withdraw 250.00 from 000002", new WithdrawFunds(A2, money("250"), null),
                    "rejected: Insufficient funds", "50.50", "100.00")
                    && command(5, "Withdraw 150.00 from 000002", new WithdrawFunds(A2, money("150"), null),
                    "accepted", "50.50", "-50.00",
                    "FundsWithdrawn 000002 v3 amount 150.00 balance -50.00")
                    && command(6, "Forgive the debt of 000002", new ForgiveDebt(A2, null),
                    "accepted", "50.50", "0.00",
                    "DebtForgiven 000002 v4 amount 50.00")
                    && command(7, "Transfer 20.00 from 000001 to 999999",
                    new Transfer(A1, "999999", money("20"), null),
                    "accepted", "50.50", "0.00",
                    "TransferDebited 000001 v3 amount 20.00 balance 30.50",
                    "TransferDebitRolledBack 000001 v4 amount 20.00 balance 50.50")
                    && command(8, "Transfer 19.00 from 000001 to 000002", new Transfer(A1, A2, money("19"), null),
                    "accepted", "31.50", "19.00",
                    "TransferDebited 000001 v5 amount 19.00 balance 31.50",
                    "TransferCredited 000002 v5 amount 19.00 balance 19.00");
            if (!ok) return outcome();
            Request r9 = new Request(A1, A2, money("15.43"), null);
            ok = command(9, "000001 requests 15.43 from 000002", r9,
                    "accepted", "31.50", "19.00",
                    "RequestCreated 000001 v6 amount 15.43",
                    "RequestReceived 000002 v6 amount 15.43")
                    && command(10, "000002 accepts request FAKE_ID", new AcceptRequest(A2, "FAKE_ID"),
                    "rejected: Transaction 'FAKE_ID' not found", "31.50", "19.00")
                    && command(11, "000002 accepts the request of step 9", new AcceptRequest(A2, r9.transactionId()),
                    "accepted", "46.93", "3.57",
                    "RequestApproved 000002 v7",
                    "RequestDebited 000002 v8 amount 15.43 balance 3.57",
                    "RequestCredited 000001 v7 amount 15.43 balance 46.93");
            if (!ok) return outcome();
            Request r12 = new Request(A2, A1, money("1000"), null);
            ok = command(12, "000002 requests 1000.00 from 000001", r12,
                    "accepted", "46.93", "3.57",
                    "RequestCreated 000002 v9 amount 1000.00",
                    "RequestReceived 000001 v8 amount 1000.00")
                    && command(13, "000001 accepts the request of step 12 (the debit is refused)",
                    new AcceptRequest(A1, r12.transactionId()),
                    "accepted", "46.93", "3.57",
                    "RequestApproved 000001 v9",
                    "RequestRejectionReceived 000002 v10");
            if (!ok) return outcome();
            Request r14 = new Request(A2, A1, money("1000"), null);
            ok = command(14, "000002 requests 1000.00 from 000001", r14,
                    "accepted", "46.93", "3.57",
                    "RequestCreated 000002 v11 amount 1000.00",
                    "RequestReceived 000001 v10 amount 1000.00")
                    && command(15, "000001 rejects the request of step 14", new RejectRequest(A1, r14.transactionId()),
                    "accepted", "46.93", "3.57",
                    "RequestRejected 000001 v11",
                    "RequestRejectionReceived 000002 v12");
            if (!ok) return outcome();
            Request r16 = new Request(A1, A2, money("15.43"), null);
            ok = command(16, "000001 requests 15.43 from 000002", r16,
                    "accepted", "46.93", "3.57",
                    "RequestCreated 000001 v12 amount 15.43",
                    "RequestReceived 000002 v13 amount 15.43")
                    && command(17, "Delete account 000001", new DeleteAccount(A1),
                    "accepted", "46.93 (deleted)", "3.57",
                    "AccountDeleted 000001 v13")
                    && command(18, "000002 accepts the request of step 16 (the credit is refused)",
                    new AcceptRequest(A2, r16.transactionId()),
                    "accepted", "46.93 (deleted)", "3.57",
                    "RequestApproved 000002 v14",
                    "RequestDebited 000002 v15 amount 15.43 balance -11.86",
                    "RequestDebitRolledBack 000002 v16 amount 15.43 balance 3.57")
                    && command(19, "Rename 000002 to Natalie Smith", new ChangeAccountName(A2, "Natalie Smith"),
                    "accepted", "46.93 (deleted)", "3.57",
                    "AccountNameChanged 000002 v17 name Natalie Smith")
                    && command(20, "Rename 000001 to Someone", new ChangeAccountName(A1, "Someone"),
                    "rejected: Account deleted", "46.93 (deleted)", "3.57")
                    && statistics()
                    && conservation()
                    && accounts();
            return outcome();
        }

        private Outcome outcome() {
            return new Outcome(done);
        }

        /** Sends one command, waits for its chain, and compares response, events and balances. */
        private boolean command(int number, String title, Command command, String expectedResponse,
                                String expectedBalance1, String expectedBalance2, String... expectedEvents) {
            UUID correlation = UUID.randomUUID();
            long before = store.lastPosition();
            CommandResponse response = jangle.send(command, SendOptions.NONE.withCorrelationId(correlation));
            String settleProblem = null;
            try {
                jangle.awaitSettled(correlation, STEP_TIMEOUT);
            } catch (ConsistencyTimeoutException e) {
                settleProblem = "not settled after " + STEP_TIMEOUT.toSeconds() + " s: " + e.getMessage();
            }
            List<EventRecord<?>> events = eventsAfter(before).stream()
                    .filter(r -> correlation.equals(r.metadata().correlationId())).toList();

            List<String> lines = new ArrayList<>();
            lines.add("  " + describe(response));
            events.forEach(r -> lines.add("  " + line(r)));
            if (settleProblem != null) lines.add("  " + settleProblem);

            String expected = outcomeText(expectedResponse, List.of(expectedEvents), expectedBalance1,
                    expectedBalance2, null);
            Map<String, String> balances = balances();
            String actual = outcomeText(describe(response), events.stream().map(Run::compact).toList(),
                    balances.getOrDefault(A1, NO_ACCOUNT), balances.getOrDefault(A2, NO_ACCOUNT), settleProblem);
            return finish(number, title, expected, actual, lines);
        }

        private boolean statistics() {
            BankStatistics s = jangle.query(new BankStats());
            String actual = "active " + s.activeAccounts() + ", deleted " + s.deletedAccounts()
                    + ", net balance " + s.netBalance().toPlainString() + ", transactions " + s.transactionCount()
                    + ", average deposit " + s.averageDeposit().toPlainString()
                    + ", average withdrawal " + s.averageWithdrawal().toPlainString()
                    + ", debt forgiven " + s.debtForgiven().toPlainString();
            String expected = "active 1, deleted 1, net balance 50.50, transactions 12, average deposit 75.25, "
                    + "average withdrawal 150.00, debt forgiven 50.00";
            return finish(21, "Bank statistics", expected, actual, List.of("  " + actual));
        }

        /** W7 twice (W9): on balances rebuilt from the events, and on the read models. */
        private boolean conservation() {
            Totals events = Totals.of(eventsAfter(0));
            MoneyTotals views = app.queries().moneyTotals();
            String expected = "events: 150.50 deposited - 150.00 withdrawn + 50.00 forgiven = 50.50 = 46.93 + 3.57; "
                    + "read models: 150.50 - 150.00 + 50.00 = 50.50";
            String actual = "events: " + events.deposits.toPlainString() + " deposited - "
                    + events.withdrawals.toPlainString() + " withdrawn + " + events.forgiven.toPlainString()
                    + " forgiven = " + events.expected().toPlainString() + " = "
                    + events.balances.values().stream().map(BigDecimal::toPlainString)
                    .collect(Collectors.joining(" + "))
                    + "; read models: " + views.deposits().toPlainString() + " - "
                    + views.withdrawals().toPlainString() + " + " + views.debtsForgiven().toPlainString() + " = "
                    + views.balances().toPlainString();
            boolean sumsHold = events.expected().compareTo(events.total()) == 0 && views.conserved();
            String line = sumsHold ? "  money is conserved: " + actual : "  money is NOT conserved: " + actual;
            return finish(22, "Money conservation", expected, actual, List.of(line));
        }

        private boolean accounts() {
            List<AccountListItem> items = jangle.query(new AccountsList());
            String actual = items.stream().map(i -> i.accountId() + " " + i.name() + " "
                            + i.balance().toPlainString() + " " + i.pendingRequestCount() + " pending")
                    .collect(Collectors.joining("; "));
            String expected = "000002 Natalie Smith 3.57 0 pending";
            return finish(23, "Accounts list", expected, actual, List.of("  " + actual));
        }

        private boolean finish(int number, String title, String expected, String actual, List<String> lines) {
            StepResult result = new StepResult(number, title, expected.equals(actual), expected, actual, lines);
            done.add(result);
            listener.stepFinished(result);
            return result.passed();
        }

        private List<EventRecord<?>> eventsAfter(long position) {
            List<EventRecord<?>> all = new ArrayList<>();
            long after = position;
            while (true) {
                List<EventRecord<?>> page = store.readFeed(after, 500);
                if (page.isEmpty()) return all;
                all.addAll(page);
                after = page.getLast().position();
            }
        }

        /** Balances rebuilt from the event store: the authoritative figures, deleted accounts marked. */
        private Map<String, String> balances() {
            Totals t = Totals.of(eventsAfter(0));
            Map<String, String> m = new LinkedHashMap<>();
            t.balances.forEach((id, b) -> m.put(id, b.toPlainString() + (t.deleted.contains(id) ? " (deleted)" : "")));
            return m;
        }

        private static String outcomeText(String response, List<String> events, String b1, String b2,
                                          String problem) {
            StringBuilder sb = new StringBuilder(response);
            for (String e : events) sb.append('\n').append(e);
            sb.append("\nbalances: 000001 ").append(b1).append(", 000002 ").append(b2);
            if (problem != null) sb.append('\n').append(problem);
            return sb.toString();
        }

        private static String describe(CommandResponse r) {
            return switch (r) {
                case CommandResponse.Rejected rejected -> "rejected: " + rejected.reason();
                case CommandResponse.Accepted accepted ->
                        accepted.data() == null ? "accepted" : "accepted, " + accepted.data();
            };
        }

        /** An event as the demo prints it: type padded, stream, version, then its facts. */
        static String line(EventRecord<?> r) {
            String facts = facts(r);
            return String.format("%-24s %s v%d%s", r.type(), r.aggregateId(), r.version(),
                    facts.isEmpty() ? "" : "  " + facts.replace(" | ", "  "));
        }

        /** An event in the single-spaced form the expectations use. */
        static String compact(EventRecord<?> r) {
            String facts = facts(r);
            return r.type() + " " + r.aggregateId() + " v" + r.version()
                    + (facts.isEmpty() ? "" : " " + facts.replace(" | ", " "));
        }

        private static String facts(EventRecord<?> r) {
            if (!(r.event() instanceof BankEvent e)) return "";
            return switch (e) {
                case AccountIdProvisioned x -> "accountId " + x.accountId();
                case AccountCreated x -> "name " + x.name();
                case AccountNameChanged x -> "name " + x.name();
                case AccountDeleted x -> "";
                case FundsDeposited x -> moneyFacts(x.amount(), x.balance());
                case FundsWithdrawn x -> moneyFacts(x.amount(), x.balance());
                case DebtForgiven x -> "amount " + x.amount().toPlainString();
                case TransferDebited x -> moneyFacts(x.amount(), x.balance());
                case TransferCredited x -> moneyFacts(x.amount(), x.balance());
                case TransferDebitRolledBack x -> moneyFacts(x.amount(), x.balance());
                case RequestCreated x -> "amount " + x.amount().toPlainString();
                case RequestReceived x -> "amount " + x.amount().toPlainString();
                case RequestApproved x -> "";
                case RequestRejected x -> "";
                case RequestRejectionReceived x -> "";
                case RequestDebited x -> moneyFacts(x.amount(), x.balance());
                case RequestCredited x -> moneyFacts(x.amount(), x.balance());
                case RequestDebitRolledBack x -> moneyFacts(x.amount(), x.balance());
            };
        }

        private static String moneyFacts(BigDecimal amount, BigDecimal balance) {
            return "amount " + amount.toPlainString() + " | balance " + balance.toPlainString();
        }
    }

    /** Sums rebuilt from events: the event side of W7 for step 22 and the per-step balances. */
    private static final class Totals {
        final Map<String, BigDecimal> balances = new LinkedHashMap<>();
        final Set<String> deleted = new HashSet<>();
        BigDecimal deposits = BigDecimal.ZERO.setScale(2);
        BigDecimal withdrawals = BigDecimal.ZERO.setScale(2);
        BigDecimal forgiven = BigDecimal.ZERO.setScale(2);

        static Totals of(List<EventRecord<?>> events) {
            Totals t = new Totals();
            for (EventRecord<?> r : events) if (r.event() instanceof BankEvent e) t.apply(r.aggregateId(), e);
            return t;
        }

        private void apply(String account, BankEvent e) {
            switch (e) {
                case AccountCreated x -> balances.put(account, BigDecimal.ZERO.setScale(2));
                case AccountDeleted x -> deleted.add(account);
                case FundsDeposited x -> {
                    deposits = deposits.add(x.amount());
                    balances.put(account, x.balance());
                }
                case FundsWithdrawn x -> {
                    withdrawals = withdrawals.add(x.amount());
                    balances.put(account, x.balance());
                }
                case DebtForgiven x -> {
                    forgiven = forgiven.add(x.amount());
                    balances.put(account, BigDecimal.ZERO.setScale(2));
                }
                case TransferDebited x -> balances.put(account, x.balance());
                case TransferCredited x -> balances.put(account, x.balance());
                case TransferDebitRolledBack x -> balances.put(account, x.balance());
                case RequestDebited x -> balances.put(account, x.balance());
                case RequestCredited x -> balances.put(account, x.balance());
                case RequestDebitRolledBack x -> balances.put(account, x.balance());
                default -> {
                    // no money moved
                }
            }
        }

        BigDecimal expected() {
            return deposits.subtract(withdrawals).add(forgiven);
        }

        BigDecimal total() {
            return balances.values().stream().reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
        }
    }

    private static BigDecimal money(String text) {
        return new BigDecimal(text);
    }
}
