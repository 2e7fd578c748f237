package jangle.banking;

import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.HandlerContext;
import jangle.JangleException;

/**
 * The reactor {@code transfer-mediator} (banking.md §7.1): finishes a transfer after {@link TransferDebited}. It
 * credits the funded account; if that is refused (missing or deleted account, transaction id already used there), it
 * rolls the debit back; if that is refused too, it throws with both reasons, so the delivery stays pending, is
 * retried by the event daemon, and becomes a visible dead letter rather than lost money.
 *
 * <p>Both steps use {@link HandlerContext#sendAndComplete} (framework D15): the step that commits also marks this
 * delivery done in the same transaction, so once a step has committed the event is never delivered here again. That
 * matters for a transfer to an id that does not exist <em>yet</em>: after the rollback, a repeated delivery could
 * otherwise credit the account opened meanwhile and the money would exist twice (B31). A delivery repeated before a
 * step committed simply tries again; both commands are idempotent by transaction id (B29).
 */
public final class TransferMediator {
    /** The reactor's name. */
    public static final String NAME = "transfer-mediator";

    /** Credits, else rolls back, else throws (§7.1 steps 1 and 2). */
    public void on(EventRecord<TransferDebited> record, HandlerContext ctx) {
        TransferDebited e = record.event();
        if (!(ctx.sendAndComplete(new CreditTransfer(e.fundingAccountId(), e.fundedAccountId(), e.amount(),
                e.transactionId())) instanceof CommandResponse.Rejected credit)) {
            return;
        }
        if (!(ctx.sendAndComplete(new RollbackTransferDebit(e.fundingAccountId(), e.amount(),
                e.transactionId())) instanceof CommandResponse.Rejected rollback)) {
            return;
        }
        throw new JangleException("transfer '" + e.transactionId() + "' of " + e.amount().toPlainString() + " from "
                + e.fundingAccountId() + " to " + e.fundedAccountId() + ": the credit was rejected ("
                + credit.reason() + ") and so was the rollback (" + rollback.reason() + ")");
    }
}
