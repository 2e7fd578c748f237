package jangle.banking;

import jangle.Command;

/**
 * Everything Jangle Banking can be asked to do (banking.md §3). The records are top-level types of this package.
 * User commands come from account holders; system commands come from the {@link TransferMediator} and the
 * {@link RequestSaga} and are idempotent by transaction id (B29).
 *
 * <p>Each record checks and normalises its fields in its compact constructor with the rules of {@link Fields}
 * (framework M2): a command object that exists is valid. User money commands generate a random UUID transaction id
 * when given none, in the constructor, so a revalidation after a conflict decides on the same id (A11).
 */
public sealed interface BankCommand extends Command
        permits CreateAccount, DepositFunds, WithdrawFunds, Transfer, Request, ForgiveDebt, DeleteAccount,
        AcceptRequest, RejectRequest, ChangeAccountName, GetRequestApproval, NotifyRequestRejected, DebitRequest,
        CreditRequest, RollbackRequestDebit, CreditTransfer, RollbackTransferDebit {
}
