package jangle.banking;

import jangle.Event;

/**
 * The Request saga's own events (banking.md §4, §7.2): kept in the saga store only, never in the event store. Each
 * records the outcome of one step; their types are the saga's flags. The {@code *Failed} ones carry the rejection
 * reason for operators.
 */
public sealed interface RequestSagaEvent extends Event
        permits GetRequestApprovalCommandSucceeded, GetRequestApprovalCommandFailed,
        NotifyRequestRejectedCommandAcknowledged, DebitRequestCommandSucceeded, DebitRequestCommandFailed,
        CreditRequestCommandSucceeded, CreditRequestCommandFailed, RollbackRequestCommandAcknowledged {
}
