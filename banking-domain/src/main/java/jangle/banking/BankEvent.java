package jangle.banking;

import jangle.Event;

/**
 * Everything that can happen in Jangle Banking (banking.md §4). The records are top-level types of this package; the
 * type name stored with each event is the record's simple name (framework J2).
 *
 * <p>Constructors check structure only (framework M4): required fields present, account and transaction ids well
 * formed. They never re-check business rules, so a rule made stricter later cannot make stored events unreadable.
 * Money fields carry scale 2; {@code balance} is the account's balance after the event, informational for read
 * models (the aggregate recomputes its own). Every event of a transfer carries the funding account id and every
 * event of a request the requester's ({@code fundedAccountId}): the pair with the transaction id names the operation
 * everywhere outside the account that chose the id (B30).
 */
public sealed interface BankEvent extends Event
        permits AccountIdProvisioned, AccountCreated, AccountNameChanged, AccountDeleted, FundsDeposited,
        FundsWithdrawn, DebtForgiven, TransferDebited, TransferCredited, TransferDebitRolledBack, RequestCreated,
        RequestReceived, RequestApproved, RequestRejected, RequestRejectionReceived, RequestDebited,
        RequestDebitRolledBack, RequestCredited {
}
