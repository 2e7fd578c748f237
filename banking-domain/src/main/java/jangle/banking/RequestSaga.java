package jangle.banking;

import jangle.EventReceiver;
import jangle.ReconstituteSagaState;
import jangle.Saga;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Carries a request for funds from the requester to the funding account and back (banking.md §7.2). Saga id:
 * {@code <fundedAccountId>:<transactionId>} (the requester and its transaction id, B30), see {@link #idOf}.
 *
 * <pre>
 *  1  RequestCreated   → GetRequestApproval → funding   ok: wait for the holder | refused: 1b
 *  1b                  → NotifyRequestRejected → requester                       → complete
 *  2  RequestApproved  → DebitRequest → funding          ok: 2c | refused: 2b
 *  2b                  → NotifyRequestRejected → requester                       → complete (no money moved)
 *  2c                  → CreditRequest → requester       ok: complete | refused: 2d
 *  2d                  → RollbackRequestDebit → funding  ok: complete | refused: retried, never acknowledged (W1)
 *  3  RequestRejected  → NotifyRequestRejected → requester                       → complete
 * </pre>
 *
 * <p>Each step runs at most once: {@code dispatchCommand} skips a step whose outcome is already in the flags, and
 * every command is idempotent by transaction id anyway (W4, B29). Receivers 2 and 3 need the data of
 * {@code RequestCreated} and list it in {@code requiredFlags}: delivered first, they are retried later (SG12).
 * The timeout is the request's ({@code RequestCreated.timeoutAt}); a saga past it before the debit stops, and from
 * the debit on it must finish the credit or the rollback whatever the time (W3, SG6). Any exception while sending a
 * step leaves the step's flag unset and schedules a retry (W2, SG3).
 */
public final class RequestSaga extends Saga {
    private String fundedAccountId;
    private String fundingAccountId;
    private BigDecimal amount;
    private String transactionId;
    private Instant requestTimeoutAt;

    public RequestSaga(String sagaId) {
        super(sagaId);
    }

    /** The saga id of a request: requester and transaction id (§7.2). */
    public static String idOf(String fundedAccountId, String transactionId) {
        return fundedAccountId + ":" + transactionId;
    }

    // ---- reconstitutors: routed events

    @ReconstituteSagaState
    void on(RequestCreated e) {
        fundedAccountId = e.fundedAccountId();
        fundingAccountId = e.fundingAccountId();
        amount = e.amount();
        transactionId = e.transactionId();
        requestTimeoutAt = e.timeoutAt();
        setTimeoutAt(e.timeoutAt());
    }

    @ReconstituteSagaState
    void on(RequestApproved e) {
    }

    @ReconstituteSagaState
    void on(RequestRejected e) {
    }

    // ---- reconstitutors: the saga's own events (their types are the flags)

    @ReconstituteSagaState
    void on(GetRequestApprovalCommandSucceeded e) {
    }

    @ReconstituteSagaState
    void on(GetRequestApprovalCommandFailed e) {
    }

    @ReconstituteSagaState
    void on(NotifyRequestRejectedCommandAcknowledged e) {
    }

    @ReconstituteSagaState
    void on(DebitRequestCommandSucceeded e) {
    }

    @ReconstituteSagaState
    void on(DebitRequestCommandFailed e) {
    }

    @ReconstituteSagaState
    void on(CreditRequestCommandSucceeded e) {
    }

    @ReconstituteSagaState
    void on(CreditRequestCommandFailed e) {
    }

    @ReconstituteSagaState
    void on(RollbackRequestCommandAcknowledged e) {
    }

    // ---- receivers

    /** Steps 1 and 1b. */
    @EventReceiver(value = RequestCreated.class, order = 1,
            skipIfAnyFlags = {GetRequestApprovalCommandSucceeded.class, NotifyRequestRejectedCommandAcknowledged.class})
    void requestCreated() {
        dispatchCommand(new GetRequestApproval(fundedAccountId, fundingAccountId, amount, transactionId,
                        requestTimeoutAt), new GetRequestApprovalCommandSucceeded(),
                GetRequestApprovalCommandFailed.class, GetRequestApprovalCommandFailed::new);
        if (hasFlag(GetRequestApprovalCommandFailed.class)) notifyRequesterAndComplete();
    }

    /** Steps 2, 2b, 2c and 2d. */
    @EventReceiver(value = RequestApproved.class, order = 2, requiredFlags = RequestCreated.class,
            skipIfAnyFlags = {NotifyRequestRejectedCommandAcknowledged.class, CreditRequestCommandSucceeded.class,
                    RollbackRequestCommandAcknowledged.class})
    void requestApproved() {
        dispatchCommand(new DebitRequest(fundingAccountId, transactionId), new DebitRequestCommandSucceeded(),
                DebitRequestCommandFailed.class, DebitRequestCommandFailed::new);
        if (hasFlag(DebitRequestCommandFailed.class)) {
            notifyRequesterAndComplete(); // 2b: no money moved
            return;
        }
        dispatchCommand(new CreditRequest(fundedAccountId, transactionId), new CreditRequestCommandSucceeded(),
                CreditRequestCommandFailed.class, CreditRequestCommandFailed::new);
        if (hasFlag(CreditRequestCommandFailed.class)) {
            // 2d: a compensation; a rejection throws SagaStepRejectedException and is retried, never recorded (W1)
            dispatchCommand(new RollbackRequestDebit(fundingAccountId, transactionId),
                    new RollbackRequestCommandAcknowledged());
        }
        setComplete();
    }

    /** Step 3. */
    @EventReceiver(value = RequestRejected.class, order = 3, requiredFlags = RequestCreated.class,
            skipIfAnyFlags = NotifyRequestRejectedCommandAcknowledged.class)
    void requestRejected() {
        notifyRequesterAndComplete();
    }

    /** Steps 1b, 2b and 3: accepted or refused, the notice is acknowledged and the saga ends. */
    private void notifyRequesterAndComplete() {
        NotifyRequestRejectedCommandAcknowledged ack = new NotifyRequestRejectedCommandAcknowledged();
        dispatchCommand(new NotifyRequestRejected(fundedAccountId, fundingAccountId, transactionId), ack, ack);
        setComplete();
    }

    /**
     * SG6, W3: once the funding account was debited, the credit or the rollback must happen whatever the time.
     *
     * <p>The saga must also finish once the request was <em>approved</em>, one step earlier than banking.md §7.2 says.
     * The reason is a crash window: if {@code DebitRequest} commits and the process dies before the saga's own commit
     * records {@code DebitRequestCommandSucceeded}, a restart after the timeout would otherwise time the saga out with
     * the money debited and never credited (W8 in flight for ever). Finishing after approval is safe: the approval
     * itself was checked in time by the funding account (B13), and a debit attempted after the timeout is rejected by
     * the account (B16), which leads to step 2b (notify, complete, no money moved); a debit that did happen is
     * recognised as already done (B16 checks that first) and the credit follows.
     */
    @Override
    protected boolean mustFinish() {
        return hasFlag(RequestApproved.class) || hasFlag(DebitRequestCommandSucceeded.class);
    }
}
