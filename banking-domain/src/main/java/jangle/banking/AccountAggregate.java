package jangle.banking;

import jangle.Aggregate;
import jangle.CommandResponse;
import jangle.ReconstituteState;
import jangle.Snapshottable;
import jangle.ValidateCommand;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One bank account (banking.md §6): decides every command but {@link CreateAccount}. Its state is the minimum needed
 * to decide them: existence, name, balance, the forgiveness count, and what it knows of each transaction id, so that
 * every command is idempotent by transaction id and no operation is carried out twice or merged with another.
 *
 * <p><b>Check order.</b> User commands check, in this order: exists, live, fresh transaction id, then their own
 * rules. System commands (from the transfer mediator and the Request saga) check "already done" <em>first</em>,
 * before existence, deletion or time: a redelivered step is an accepted no-op, never a rejection, or a mediator or
 * saga could compensate a step that actually happened.
 *
 * <p><b>Memory.</b> Transfers and requests are remembered for ever (they take part in cross-account flows that may
 * be redelivered at any time); deposits, withdrawals and forgivenesses for the account's most recent 1,000 of them.
 *
 * <p><b>Time.</b> Only from {@link #clock()} (framework A11, banking.md §12 bug 9): a request times out 30 minutes
 * after it was created (B28). Snapshottable every 100 versions; the snapshot holds the whole state.
 */
public final class AccountAggregate extends Aggregate implements Snapshottable<AccountAggregate.State> {
    /** How long a request waits for the funding holder's decision (B28). */
    public static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(30);
    /** How many deposits, withdrawals and forgivenesses an account remembers for the fresh-tx check. */
    public static final int RECENT_LIMIT = 1000;

    static final String ACCOUNT_DOES_NOT_EXIST = "Account does not exist";
    static final String ACCOUNT_DELETED = "Account deleted";
    static final String INSUFFICIENT_FUNDS = "Insufficient funds";
    static final String TIMED_OUT = "Transaction timed out";

    /** A sent transfer's state. */
    public enum TransferState { DEBITED, ROLLED_BACK }

    /** A sent request's state, as the requester knows it. */
    public enum RequestState { PENDING, REJECTED, CREDITED }

    /** The funding holder's decision on a received request. */
    public enum Decision { NONE, APPROVED, REJECTED }

    /** What happened to a received request's money. */
    public enum Funds { NONE, DEBITED, ROLLED_BACK }

    /** The kinds of money movement kept in the bounded memory. */
    public enum RecentKind { DEPOSIT, WITHDRAWAL, FORGIVENESS }

    /** A transfer this account sent. */
    public record SentTransfer(String fundedAccountId, BigDecimal amount, TransferState state) {
    }

    /** A transfer credited here. */
    public record ReceivedTransfer(String fundingAccountId, BigDecimal amount) {
    }

    /** A request this account made (as requester). */
    public record SentRequest(String fundingAccountId, BigDecimal amount, Instant timeoutAt, RequestState state) {
    }

    /** A request this account received (as funder). */
    public record ReceivedRequest(String fundedAccountId, BigDecimal amount, Instant timeoutAt, Decision decision,
                                  Funds funds) {
    }

    /** A deposit, withdrawal or forgiveness (amount: the debt forgiven). */
    public record RecentTransaction(String transactionId, RecentKind kind, BigDecimal amount) {
    }

    /**
     * The whole state, as snapshotted (§6.1). {@code recentTransactions} is oldest first, so the bounded memory
     * forgets the same entries after a restore as it would have without one.
     */
    public record State(boolean exists, boolean deleted, String name, BigDecimal balance, int forgivenessCount,
                        Map<String, SentTransfer> sentTransfers, Map<String, ReceivedTransfer> receivedTransfers,
                        Map<String, SentRequest> sentRequests, Map<String, ReceivedRequest> receivedRequests,
                        List<RecentTransaction> recentTransactions) {
        public State {
            Objects.requireNonNull(balance, "balance");
            sentTransfers = Map.copyOf(sentTransfers);
            receivedTransfers = Map.copyOf(receivedTransfers);
            sentRequests = Map.copyOf(sentRequests);
            receivedRequests = Map.copyOf(receivedRequests);
            recentTransactions = List.copyOf(recentTransactions);
        }
    }

    /** What a transaction id is known as here, for the fresh-tx check. */
    private enum Operation {
        DEPOSIT, WITHDRAWAL, FORGIVENESS, TRANSFER_SENT, TRANSFER_RECEIVED, REQUEST_SENT, REQUEST_RECEIVED
    }

    /** One known use of a transaction id: its operation, amount and other account (null when it has none). */
    private record Use(Operation operation, BigDecimal amount, String otherAccountId) {
    }

    private boolean exists;
    private boolean deleted;
    private String name;
    private BigDecimal balance = Money.ZERO;
    private int forgivenessCount;
    private final Map<String, SentTransfer> sentTransfers = new HashMap<>();
    private final Map<String, ReceivedTransfer> receivedTransfers = new HashMap<>();
    private final Map<String, SentRequest> sentRequests = new HashMap<>();
    private final Map<String, ReceivedRequest> receivedRequests = new HashMap<>();
    /** Insertion order = age; the eldest is forgotten beyond {@link #RECENT_LIMIT}. */
    private final LinkedHashMap<String, RecentTransaction> recentTransactions = new LinkedHashMap<>();

    public AccountAggregate(String id) {
        super(id);
    }

    // ================================================================ user commands

    /** B6: exists, live, fresh tx. */
    @ValidateCommand
    CommandResponse deposit(DepositFunds c) {
        CommandResponse no = userChecks(c.transactionId(), Operation.DEPOSIT, c.amount(), null);
        if (no != null) return no;
        post(new FundsDeposited(id(), c.amount(), balance.add(c.amount()), c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B7: exists, live, fresh tx, floor. */
    @ValidateCommand
    CommandResponse withdraw(WithdrawFunds c) {
        CommandResponse no = userChecks(c.transactionId(), Operation.WITHDRAWAL, c.amount(), null);
        if (no != null) return no;
        BigDecimal after = balance.subtract(c.amount());
        if (after.compareTo(Money.FLOOR) < 0) return CommandResponse.rejected(INSUFFICIENT_FUNDS);
        post(new FundsWithdrawn(id(), c.amount(), after, c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B8: exists, live, fresh tx, floor. The funded account is another aggregate; mediation handles it (B27). */
    @ValidateCommand
    CommandResponse transfer(Transfer c) {
        CommandResponse no = userChecks(c.transactionId(), Operation.TRANSFER_SENT, c.amount(),
                c.fundedAccountId());
        if (no != null) return no;
        BigDecimal after = balance.subtract(c.amount());
        if (after.compareTo(Money.FLOOR) < 0) return CommandResponse.rejected(INSUFFICIENT_FUNDS);
        post(new TransferDebited(id(), c.fundedAccountId(), c.amount(), after, c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B9: exists, live, fresh tx; no balance check. Times out 30 minutes from the clock's now (B28). */
    @ValidateCommand
    CommandResponse request(Request c) {
        CommandResponse no = userChecks(c.transactionId(), Operation.REQUEST_SENT, c.amount(),
                c.fundingAccountId());
        if (no != null) return no;
        // truncated to microseconds, the precision every store keeps (framework §2), so the event round-trips
        Instant timeoutAt = clock().instant().truncatedTo(ChronoUnit.MICROS).plus(REQUEST_TIMEOUT);
        post(new RequestCreated(id(), c.fundingAccountId(), c.amount(), c.transactionId(), timeoutAt));
        return CommandResponse.accepted();
    }

    /** B10, B22: exists, live, fresh tx; only a negative balance; at most twice in the account's life. */
    @ValidateCommand
    CommandResponse forgive(ForgiveDebt c) {
        CommandResponse no = userChecks(c.transactionId(), Operation.FORGIVENESS, null, null);
        if (no != null) return no;
        if (balance.signum() >= 0) return CommandResponse.rejected("Forgiveness not applicable");
        if (forgivenessCount >= 2) return CommandResponse.rejected("Forgiveness quota exceeded");
        post(new DebtForgiven(id(), balance.negate(), c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B11, B26: exists; deleting again is an accepted no-op. A non-zero balance stays in the account. */
    @ValidateCommand
    CommandResponse delete(DeleteAccount c) {
        if (!exists) return CommandResponse.rejected(ACCOUNT_DOES_NOT_EXIST);
        if (deleted) return CommandResponse.accepted();
        post(new AccountDeleted(id()));
        return CommandResponse.accepted();
    }

    /** B12: exists, live; the same name again is an accepted no-op. */
    @ValidateCommand
    CommandResponse rename(ChangeAccountName c) {
        CommandResponse no = live();
        if (no != null) return no;
        if (c.name().equals(name)) return CommandResponse.accepted();
        post(new AccountNameChanged(id(), c.name()));
        return CommandResponse.accepted();
    }

    /** B13, B23: exists, live, known tx; idempotent; never after a rejection; in time. */
    @ValidateCommand
    CommandResponse accept(AcceptRequest c) {
        CommandResponse no = live();
        if (no != null) return no;
        ReceivedRequest r = receivedRequests.get(c.transactionId());
        if (r == null) return notFound(c.transactionId());
        if (r.decision() == Decision.APPROVED) return CommandResponse.accepted();
        if (r.decision() == Decision.REJECTED) return CommandResponse.rejected("Request already rejected");
        if (timedOut(r.timeoutAt())) return CommandResponse.rejected(TIMED_OUT);
        post(new RequestApproved(id(), r.fundedAccountId(), c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B14, B23: exists, live, known tx; idempotent; never after an acceptance; in time. */
    @ValidateCommand
    CommandResponse reject(RejectRequest c) {
        CommandResponse no = live();
        if (no != null) return no;
        ReceivedRequest r = receivedRequests.get(c.transactionId());
        if (r == null) return notFound(c.transactionId());
        if (r.decision() == Decision.REJECTED) return CommandResponse.accepted();
        if (r.decision() == Decision.APPROVED) return CommandResponse.rejected("Request already accepted");
        if (timedOut(r.timeoutAt())) return CommandResponse.rejected(TIMED_OUT);
        post(new RequestRejected(id(), r.fundedAccountId(), c.transactionId()));
        return CommandResponse.accepted();
    }

    // ================================================================ system commands: "already done" first

    /** B15, B30: already received from this requester for this amount → no-op; any other use → refused. */
    @ValidateCommand
    CommandResponse getApproval(GetRequestApproval c) {
        ReceivedRequest r = receivedRequests.get(c.transactionId());
        if (r != null && r.fundedAccountId().equals(c.fundedAccountId()) && r.amount().compareTo(c.amount()) == 0) {
            return CommandResponse.accepted();
        }
        if (useOf(c.transactionId()) != null) return alreadyUsed(c.transactionId());
        CommandResponse no = live();
        if (no != null) return no;
        if (timedOut(c.timeoutAt())) return CommandResponse.rejected(TIMED_OUT);
        post(new RequestReceived(c.fundedAccountId(), id(), c.amount(), c.transactionId(), c.timeoutAt()));
        return CommandResponse.accepted();
    }

    /** B16, B24: known tx; done or rolled back → no-op; needs approval; live; in time; floor on the request. */
    @ValidateCommand
    CommandResponse debitRequest(DebitRequest c) {
        ReceivedRequest r = receivedRequests.get(c.transactionId());
        if (r == null) return notFound(c.transactionId());
        if (r.funds() == Funds.DEBITED || r.funds() == Funds.ROLLED_BACK) return CommandResponse.accepted();
        if (r.decision() != Decision.APPROVED) return CommandResponse.rejected("Request not approved");
        if (deleted) return CommandResponse.rejected(ACCOUNT_DELETED);
        if (timedOut(r.timeoutAt())) return CommandResponse.rejected(TIMED_OUT);
        BigDecimal after = balance.subtract(r.amount());
        if (after.compareTo(Money.FLOOR) < 0) return CommandResponse.rejected(INSUFFICIENT_FUNDS);
        post(new RequestDebited(id(), r.fundedAccountId(), r.amount(), after, c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B17: known tx; credited → no-op; rejected → refused; live. No time check (the debit already happened). */
    @ValidateCommand
    CommandResponse creditRequest(CreditRequest c) {
        SentRequest r = sentRequests.get(c.transactionId());
        if (r == null) return notFound(c.transactionId());
        if (r.state() == RequestState.CREDITED) return CommandResponse.accepted();
        if (r.state() == RequestState.REJECTED) return CommandResponse.rejected("Request already rejected");
        if (deleted) return CommandResponse.rejected(ACCOUNT_DELETED);
        post(new RequestCredited(id(), r.amount(), balance.add(r.amount()), c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B18, B24, B25: known tx; rolled back → no-op; needs a debit. No live check, no time check. */
    @ValidateCommand
    CommandResponse rollbackRequest(RollbackRequestDebit c) {
        ReceivedRequest r = receivedRequests.get(c.transactionId());
        if (r == null) return notFound(c.transactionId());
        if (r.funds() == Funds.ROLLED_BACK) return CommandResponse.accepted();
        if (r.funds() != Funds.DEBITED) {
            return CommandResponse.rejected("No debit to roll back for transaction '" + c.transactionId() + "'");
        }
        post(new RequestDebitRolledBack(id(), r.fundedAccountId(), r.amount(), balance.add(r.amount()),
                c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B19: known tx; rejected → no-op; credited → refused. No live check, no time check (it moves no money). */
    @ValidateCommand
    CommandResponse notifyRejected(NotifyRequestRejected c) {
        SentRequest r = sentRequests.get(c.transactionId());
        if (r == null) return notFound(c.transactionId());
        if (r.state() == RequestState.REJECTED) return CommandResponse.accepted();
        if (r.state() == RequestState.CREDITED) return CommandResponse.rejected("Request already credited");
        post(new RequestRejectionReceived(id(), c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B20, B30: already credited from this funder, same amount → no-op; any other use → refused; exists; live. */
    @ValidateCommand
    CommandResponse creditTransfer(CreditTransfer c) {
        ReceivedTransfer r = receivedTransfers.get(c.transactionId());
        if (r != null && r.fundingAccountId().equals(c.fundingAccountId()) && r.amount().compareTo(c.amount()) == 0) {
            return CommandResponse.accepted();
        }
        if (useOf(c.transactionId()) != null) return alreadyUsed(c.transactionId());
        CommandResponse no = live();
        if (no != null) return no;
        post(new TransferCredited(id(), c.fundingAccountId(), c.amount(), balance.add(c.amount()),
                c.transactionId()));
        return CommandResponse.accepted();
    }

    /** B21, B25: known tx; rolled back → no-op; the amount must match. No live check. */
    @ValidateCommand
    CommandResponse rollbackTransfer(RollbackTransferDebit c) {
        SentTransfer t = sentTransfers.get(c.transactionId());
        if (t == null) return notFound(c.transactionId());
        if (t.state() == TransferState.ROLLED_BACK) return CommandResponse.accepted();
        if (t.amount().compareTo(c.amount()) != 0) {
            return CommandResponse.rejected("Transaction '" + c.transactionId() + "' amount does not match");
        }
        post(new TransferDebitRolledBack(id(), t.amount(), balance.add(t.amount()), c.transactionId()));
        return CommandResponse.accepted();
    }

    // ================================================================ checks

    /** "exists" then "live". */
    private CommandResponse live() {
        if (!exists) return CommandResponse.rejected(ACCOUNT_DOES_NOT_EXIST);
        if (deleted) return CommandResponse.rejected(ACCOUNT_DELETED);
        return null;
    }

    /** The common checks of user money commands, in order: exists, live, fresh tx. Null when all pass. */
    private CommandResponse userChecks(String tx, Operation operation, BigDecimal amount, String otherAccountId) {
        CommandResponse no = live();
        return no != null ? no : fresh(tx, operation, amount, otherAccountId);
    }

    /**
     * The fresh-tx check: null when the id is new here; an accepted no-op when it is known with the same details
     * (same operation, same amount where the command has one, same other account); otherwise a rejection.
     */
    private CommandResponse fresh(String tx, Operation operation, BigDecimal amount, String otherAccountId) {
        Use use = useOf(tx);
        if (use == null) return null;
        boolean same = use.operation() == operation
                && (amount == null || use.amount().compareTo(amount) == 0)
                && Objects.equals(use.otherAccountId(), otherAccountId);
        return same ? CommandResponse.accepted() : alreadyUsed(tx);
    }

    /** How {@code tx} is known in any of the account's transaction maps; null when it is not. */
    private Use useOf(String tx) {
        RecentTransaction recent = recentTransactions.get(tx);
        if (recent != null) {
            Operation op = switch (recent.kind()) {
                case DEPOSIT -> Operation.DEPOSIT;
                case WITHDRAWAL -> Operation.WITHDRAWAL;
                case FORGIVENESS -> Operation.FORGIVENESS;
            };
            return new Use(op, recent.amount(), null);
        }
        SentTransfer st = sentTransfers.get(tx);
        if (st != null) return new Use(Operation.TRANSFER_SENT, st.amount(), st.fundedAccountId());
        ReceivedTransfer rt = receivedTransfers.get(tx);
        if (rt != null) return new Use(Operation.TRANSFER_RECEIVED, rt.amount(), rt.fundingAccountId());
        SentRequest sr = sentRequests.get(tx);
        if (sr != null) return new Use(Operation.REQUEST_SENT, sr.amount(), sr.fundingAccountId());
        ReceivedRequest rr = receivedRequests.get(tx);
        if (rr != null) return new Use(Operation.REQUEST_RECEIVED, rr.amount(), rr.fundedAccountId());
        return null;
    }

    /** "in time": now (from the injected clock) at or after the timeout is too late. */
    private boolean timedOut(Instant timeoutAt) {
        return !clock().instant().isBefore(timeoutAt);
    }

    private static CommandResponse notFound(String tx) {
        return CommandResponse.rejected("Transaction '" + tx + "' not found");
    }

    private static CommandResponse alreadyUsed(String tx) {
        return CommandResponse.rejected("Transaction id '" + tx + "' was already used");
    }

    // ================================================================ state (§6.2)

    @ReconstituteState
    void on(AccountCreated e) {
        exists = true;
        name = e.name();
    }

    @ReconstituteState
    void on(AccountNameChanged e) {
        name = e.name();
    }

    @ReconstituteState
    void on(AccountDeleted e) {
        deleted = true;
    }

    @ReconstituteState
    void on(FundsDeposited e) {
        balance = balance.add(e.amount());
        remember(e.transactionId(), RecentKind.DEPOSIT, e.amount());
    }

    @ReconstituteState
    void on(FundsWithdrawn e) {
        balance = balance.subtract(e.amount());
        remember(e.transactionId(), RecentKind.WITHDRAWAL, e.amount());
    }

    @ReconstituteState
    void on(DebtForgiven e) {
        balance = Money.ZERO;
        forgivenessCount++;
        remember(e.transactionId(), RecentKind.FORGIVENESS, e.amount());
    }

    @ReconstituteState
    void on(TransferDebited e) {
        balance = balance.subtract(e.amount());
        sentTransfers.put(e.transactionId(), new SentTransfer(e.fundedAccountId(), e.amount(), TransferState.DEBITED));
    }

    @ReconstituteState
    void on(TransferDebitRolledBack e) {
        balance = balance.add(e.amount());
        SentTransfer t = known(sentTransfers, e.transactionId(), e);
        sentTransfers.put(e.transactionId(), new SentTransfer(t.fundedAccountId(), t.amount(),
                TransferState.ROLLED_BACK));
    }

    @ReconstituteState
    void on(TransferCredited e) {
        balance = balance.add(e.amount());
        receivedTransfers.put(e.transactionId(), new ReceivedTransfer(e.fundingAccountId(), e.amount()));
    }

    @ReconstituteState
    void on(RequestCreated e) {
        sentRequests.put(e.transactionId(), new SentRequest(e.fundingAccountId(), e.amount(), e.timeoutAt(),
                RequestState.PENDING));
    }

    @ReconstituteState
    void on(RequestReceived e) {
        receivedRequests.put(e.transactionId(), new ReceivedRequest(e.fundedAccountId(), e.amount(), e.timeoutAt(),
                Decision.NONE, Funds.NONE));
    }

    @ReconstituteState
    void on(RequestApproved e) {
        ReceivedRequest r = known(receivedRequests, e.transactionId(), e);
        receivedRequests.put(e.transactionId(), new ReceivedRequest(r.fundedAccountId(), r.amount(), r.timeoutAt(),
                Decision.APPROVED, r.funds()));
    }

    @ReconstituteState
    void on(RequestRejected e) {
        ReceivedRequest r = known(receivedRequests, e.transactionId(), e);
        receivedRequests.put(e.transactionId(), new ReceivedRequest(r.fundedAccountId(), r.amount(), r.timeoutAt(),
                Decision.REJECTED, r.funds()));
    }

    @ReconstituteState
    void on(RequestRejectionReceived e) {
        SentRequest r = known(sentRequests, e.transactionId(), e);
        sentRequests.put(e.transactionId(), new SentRequest(r.fundingAccountId(), r.amount(), r.timeoutAt(),
                RequestState.REJECTED));
    }

    @ReconstituteState
    void on(RequestDebited e) {
        balance = balance.subtract(e.amount());
        ReceivedRequest r = known(receivedRequests, e.transactionId(), e);
        receivedRequests.put(e.transactionId(), new ReceivedRequest(r.fundedAccountId(), r.amount(), r.timeoutAt(),
                r.decision(), Funds.DEBITED));
    }

    @ReconstituteState
    void on(RequestDebitRolledBack e) {
        balance = balance.add(e.amount());
        ReceivedRequest r = known(receivedRequests, e.transactionId(), e);
        receivedRequests.put(e.transactionId(), new ReceivedRequest(r.fundedAccountId(), r.amount(), r.timeoutAt(),
                r.decision(), Funds.ROLLED_BACK));
    }

    @ReconstituteState
    void on(RequestCredited e) {
        balance = balance.add(e.amount());
        SentRequest r = known(sentRequests, e.transactionId(), e);
        sentRequests.put(e.transactionId(), new SentRequest(r.fundingAccountId(), r.amount(), r.timeoutAt(),
                RequestState.CREDITED));
    }

    /** Adds to the bounded memory, forgetting the eldest entry beyond {@link #RECENT_LIMIT}. */
    private void remember(String tx, RecentKind kind, BigDecimal amount) {
        recentTransactions.remove(tx); // a reused id (possible once forgotten) becomes the newest
        recentTransactions.put(tx, new RecentTransaction(tx, kind, amount));
        if (recentTransactions.size() > RECENT_LIMIT) {
            Iterator<String> eldest = recentTransactions.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** An event that continues an operation must find it: a missing one means a corrupt stream (A10). */
    private static <V> V known(Map<String, V> map, String tx, Object event) {
        V v = map.get(tx);
        if (v == null) {
            throw new IllegalStateException(event.getClass().getSimpleName() + " for transaction '" + tx
                    + "', which this account does not know");
        }
        return v;
    }

    // ================================================================ snapshots (§6.1, framework §6)

    @Override
    public int snapshotFrequency() {
        return 100;
    }

    @Override
    public State snapshot() {
        return new State(exists, deleted, name, balance, forgivenessCount, sentTransfers, receivedTransfers,
                sentRequests, receivedRequests, List.copyOf(recentTransactions.values()));
    }

    @Override
    public void applySnapshot(State s) {
        exists = s.exists();
        deleted = s.deleted();
        name = s.name();
        balance = s.balance();
        forgivenessCount = s.forgivenessCount();
        sentTransfers.clear();
        sentTransfers.putAll(s.sentTransfers());
        receivedTransfers.clear();
        receivedTransfers.putAll(s.receivedTransfers());
        sentRequests.clear();
        sentRequests.putAll(s.sentRequests());
        receivedRequests.clear();
        receivedRequests.putAll(s.receivedRequests());
        recentTransactions.clear();
        for (RecentTransaction r : s.recentTransactions()) recentTransactions.put(r.transactionId(), r);
    }

    // ================================================================ read access for tests and tools

    /** The current balance (scale 2). */
    public BigDecimal balance() {
        return balance;
    }

    /** How many times this account's debt was forgiven. */
    public int forgivenessCount() {
        return forgivenessCount;
    }

    public boolean exists() {
        return exists;
    }

    public boolean deleted() {
        return deleted;
    }

    public String name() {
        return name;
    }
}
