package jangle.banking.app.cli;

import jangle.Command;
import jangle.CommandResponse;
import jangle.InvalidMessageException;
import jangle.Jangle;
import jangle.SendOptions;
import jangle.StoreException;
import jangle.banking.AcceptRequest;
import jangle.banking.AccountLedger;
import jangle.banking.AccountSummary;
import jangle.banking.AccountSummaryView;
import jangle.banking.AccountsList;
import jangle.banking.BankStats;
import jangle.banking.ChangeAccountName;
import jangle.banking.CreateAccount;
import jangle.banking.DeleteAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Fields;
import jangle.banking.ForgiveDebt;
import jangle.banking.PendingRequest;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.FollowUp;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The interactive, menu-driven bank of cli.md §2–§4. Every check of an answer is the rule of the command (or query)
 * the answer goes into: the terminal builds the record and prints the {@link InvalidMessageException}'s message when
 * the record refuses it, then asks again (T3). Screens are re-read from the read models each time they are shown
 * (T4), after waiting for the read models to catch up with the last accepted command (T5).
 *
 * <p>An empty answer at a prompt for an account, a name or an amount goes back to the screen the action came from
 * ({@code Cancelled.}), as it does at the entry prompt of Accept and Reject; only the starting balance, where ENTER means
 * 0, keeps its meaning.
 */
final class Terminal {
    /** T5: at most this long after an accepted command. */
    static final Duration WAIT = Duration.ofSeconds(2);

    private static final List<String> ROOT_MENU = List.of("Create account", "Delete account", "Select account",
            "Show bank statistics", "Quit");
    private static final List<String> ACCOUNT_MENU = List.of("Back", "Deposit funds", "Withdraw funds",
            "Send funds to another account", "Request funds from another account", "Forgive debt",
            "Accept funds request", "Reject funds request", "View account ledger", "Change account name");

    private final Screen screen;
    private final BankingApplication app;
    private final Jangle jangle;
    private final ZoneId zone;

    Terminal(Screen screen, BankingApplication app, ZoneId zone) {
        this.screen = screen;
        this.app = app;
        this.jangle = app.jangle();
        this.zone = zone;
    }

    /**
     * Runs the root screen until Quit or end of input (T6). Prints nothing on the way out: the caller says Goodbye.
     * A store fault (connection lost, disk full, read-only or damaged file) ends only the action it hit: its message
     * is shown there and the terminal goes back to the screen, so it answers again as soon as the store does (issue 16
     * items 5 and 11).
     */
    void run() {
        try {
            while (true) {
                try {
                    if (!rootScreen()) return; // Quit
                } catch (Screen.EndOfInput e) {
                    throw e;
                } catch (RuntimeException e) {
                    fault(e);
                }
            }
        } catch (Screen.EndOfInput e) {
            // T6: end of input means Quit
        }
    }

    /** Shows an infrastructure fault at the action that met it, then waits for Enter before the screen again. */
    private void fault(RuntimeException e) {
        screen.error("Error: " + FollowUp.describe(e));
        if (e instanceof StoreException s && (s.fault() == StoreException.Fault.CONNECTION_LOST
                || s.fault() == StoreException.Fault.TIMEOUT)) {
            // the connection may have failed after the server committed: a blind retry could pay twice
            screen.line("If this was a money action, it may have been recorded before the connection failed: "
                    + "check the account's ledger before you try again.");
        }
        screen.line("Back to the menu; try again when the database is available.");
        screen.pause();
    }

    /** Shows the warnings of a committed command under its success line (it succeeded; they are not errors). */
    private void warnings(FollowUp f) {
        f.warningLines().forEach(screen::error);
    }

    // ---- root ----

    private boolean rootScreen() {
        screen.blank();
        try {
            screen.lines(Formats.accountTable(jangle.query(new AccountsList()), screen.width()));
        } catch (RuntimeException e) { // the menu stays usable while the store is away
            screen.error("Cannot show the accounts: " + FollowUp.describe(e));
        }
        switch (screen.menu(ROOT_MENU)) {
            case 1 -> createAccount();
            case 2 -> deleteAccount();
            case 3 -> selectAccount();
            case 4 -> {
                screen.lines(Formats.statistics(jangle.query(new BankStats())));
                screen.pause();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void createAccount() {
        String name = askValid("Account name (5-15 chars): ",
                answer -> new CreateAccount(answer, null, null).name());
        if (name == null) return;
        CreateAccount command = askValid(false, "Starting balance (ENTER for 0): ", answer -> {
            if (answer.isEmpty()) return new CreateAccount(name, null, null);
            BigDecimal amount = number(answer);
            // fix 2: ENTER, 0 or 0.00 opens the account without an initial deposit
            return new CreateAccount(name, amount.signum() == 0 ? null : amount, null);
        });
        FollowUp f = new FollowUp(command.transactionId());
        CommandResponse r = send(command, f);
        if (r.isAccepted()) {
            screen.line("Account successfully created with id '" + r.acceptedData(String.class) + "'.");
            warnings(f);
        } else {
            screen.error("There was an error creating the account: " + r.rejectionReason());
        }
        screen.pause();
    }

    private void deleteAccount() {
        DeleteAccount command = askValid("ID of account to delete: ", DeleteAccount::new);
        if (command == null) return;
        FollowUp f = new FollowUp(null);
        CommandResponse r = send(command, f);
        if (r.isAccepted()) {
            screen.line("Account with id " + command.accountId() + " successfully deleted.");
            warnings(f);
        } else {
            screen.error("There was an error deleting the account: " + r.rejectionReason());
        }
        screen.pause();
    }

    private void selectAccount() {
        AccountSummary query = askValid("ID of account to select: ", AccountSummary::new);
        if (query == null) return;
        if (jangle.query(query).isEmpty()) {
            screen.error("Account not found.");
            screen.pause();
            return;
        }
        while (true) { // until Back, or the account disappears
            try {
                if (!accountScreen(query.accountId())) return;
            } catch (Screen.EndOfInput e) {
                throw e;
            } catch (RuntimeException e) {
                fault(e);
            }
        }
    }

    // ---- account ----

    private boolean accountScreen(String id) {
        Optional<AccountSummaryView> view;
        try {
            view = jangle.query(new AccountSummary(id));
        } catch (RuntimeException e) { // cannot draw the account: say why and go back to the root screen
            fault(e);
            return false;
        }
        screen.blank();
        if (view.isEmpty()) {
            screen.error("Account not found.");
            return false;
        }
        screen.lines(Formats.accountSummary(view.get(), zone));
        switch (screen.menu(ACCOUNT_MENU)) {
            case 1 -> {
                return false;
            }
            case 2 -> deposit(id);
            case 3 -> withdraw(id);
            case 4 -> sendFunds(id);
            case 5 -> requestFunds(id);
            case 6 -> forgive(id);
            case 7 -> decide(id, true);
            case 8 -> decide(id, false);
            case 9 -> ledger(view.get());
            default -> changeName(id);
        }
        return true;
    }

    private void deposit(String id) {
        DepositFunds command = askValid("How much to deposit? ", a -> new DepositFunds(id, number(a), null));
        if (command == null) return;
        FollowUp f = new FollowUp(command.transactionId());
        CommandResponse r = send(command, f);
        if (r.isAccepted()) {
            screen.line(Formats.money(command.amount()) + " successfully deposited into " + id + ".");
            warnings(f);
        } else {
            screen.error("There was an error depositing funds: " + r.rejectionReason());
        }
        screen.pause();
    }

    private void withdraw(String id) {
        WithdrawFunds command = askValid("How much to withdraw? ", a -> new WithdrawFunds(id, number(a), null));
        if (command == null) return;
        FollowUp f = new FollowUp(command.transactionId());
        CommandResponse r = send(command, f);
        if (r.isAccepted()) {
            screen.line(Formats.money(command.amount()) + " successfully withdrawn from " + id + ".");
            warnings(f);
        } else {
            screen.error("There was an error withdrawing funds: " + r.rejectionReason());
        }
        screen.pause();
    }

    private void sendFunds(String id) {
        screen.lines(Formats.accountTable(jangle.query(new AccountsList()), screen.width()));
        String other = askValid("Account ID to send funds to: ", a -> {
            Fields.accountId("fundedAccountId", a);
            if (a.equals(id)) throw new InvalidMessageException("fundedAccountId",
                    "You cannot send funds to your own account.");
            return a;
        });
        if (other == null) return;
        Transfer command = askValid("Amount to send: ", a -> new Transfer(id, other, number(a), null));
        if (command == null) return;
        UUID correlation = UUID.randomUUID();
        CommandResponse r = jangle.send(command, SendOptions.NONE.withCorrelationId(correlation));
        String amount = Formats.money(command.amount());
        if (!r.isAccepted()) {
            screen.error("There was an error sending funds to " + other + ": " + r.rejectionReason());
        } else {
            FollowUp f = new FollowUp(command.transactionId());
            f.settle(jangle, correlation, WAIT);
            switch (f.read("the transfer's outcome", () -> Outcomes.transfer(jangle.stores().events(), id, other,
                    command.transactionId())).orElse(Outcomes.TransferOutcome.IN_PROGRESS)) {
                case CREDITED -> screen.line("Sent " + amount + " to account ID " + other + ".");
                case RETURNED -> screen.line("Sending " + amount + " to account ID " + other
                        + " failed; the money was returned to your account.");
                case IN_PROGRESS -> screen.line("Sending " + amount + " to account ID " + other
                        + "; the transfer is still in progress.");
            }
            warnings(f);
        }
        screen.pause();
    }

    private void requestFunds(String id) {
        screen.lines(Formats.accountTable(jangle.query(new AccountsList()), screen.width()));
        String other = askValid("Account ID to request funds from: ", a -> {
            Fields.accountId("fundingAccountId", a);
            if (a.equals(id)) throw new InvalidMessageException("fundingAccountId",
                    "You cannot request funds from your own account.");
            return a;
        });
        if (other == null) return;
        Request command = askValid("Amount to request: ", a -> new Request(id, other, number(a), null));
        if (command == null) return;
        FollowUp f = new FollowUp(command.transactionId());
        CommandResponse r = send(command, f);
        if (r.isAccepted()) {
            screen.line("Requested " + Formats.money(command.amount()) + " from account ID " + other + ".");
            Cli.notOnItsWay(app, f, other, command.transactionId());
            warnings(f);
        } else {
            screen.error("There was an error requesting funds from " + other + ": " + r.rejectionReason());
        }
        screen.pause();
    }

    private void forgive(String id) {
        ForgiveDebt command = new ForgiveDebt(id, null);
        FollowUp f = new FollowUp(command.transactionId());
        CommandResponse r = send(command, f);
        if (r.isAccepted()) {
            screen.line("Your debt has been forgiven! Balance reset to 0.00.");
            warnings(f);
        } else {
            screen.error("Debt forgiveness failed: " + r.rejectionReason());
        }
        screen.pause();
    }

    /** Accept ({@code accept}) or reject one of the requests awaiting this account's approval. */
    private void decide(String id, boolean accept) {
        List<PendingRequest> pending = jangle.query(new AccountSummary(id))
                .map(AccountSummaryView::pendingRequests).orElse(List.of());
        if (pending.isEmpty()) {
            // fix 6: nothing to choose, straight back to the account screen
            screen.line("There are no pending requests.");
            screen.pause();
            return;
        }
        screen.lines(Formats.pendingTable(pending, zone));
        String prompt = accept ? "Which entry to accept? " : "Which entry to reject? ";
        int entry;
        while (true) {
            String answer = screen.ask(prompt);
            if (answer.isEmpty()) return; // cancelled
            entry = Screen.parseIndex(answer, pending.size());
            if (entry > 0) break;
            screen.error("Specify a valid entry # between 1 and " + pending.size() + ".");
        }
        PendingRequest p = pending.get(entry - 1);
        String amount = Formats.money(p.amount());
        String requester = p.requesterAccountId();
        if (accept) {
            UUID correlation = UUID.randomUUID();
            CommandResponse r = jangle.send(new AcceptRequest(id, p.transactionId()),
                    SendOptions.NONE.withCorrelationId(correlation));
            if (!r.isAccepted()) {
                screen.error("There was an error accepting request to transfer funds: " + r.rejectionReason());
            } else {
                FollowUp f = new FollowUp(p.transactionId());
                f.settle(jangle, correlation, WAIT);
                String base = "Accepted request to transfer " + amount + " to account ID " + requester;
                switch (f.read("the request's outcome", () -> Outcomes.accept(jangle.stores().events(), id, requester,
                        p.transactionId())).orElse(Outcomes.AcceptOutcome.IN_PROGRESS)) {
                    case CREDITED -> screen.line(base + ".");
                    case FAILED -> screen.line(base + ", but the payment failed.");
                    case RETURNED -> screen.line(base
                            + ", but it could not be delivered; the money was returned to your account.");
                    case IN_PROGRESS -> screen.line(base + "; the transfer is still in progress.");
                }
                warnings(f);
            }
        } else {
            FollowUp f = new FollowUp(p.transactionId());
            CommandResponse r = send(new RejectRequest(id, p.transactionId()), f);
            if (r.isAccepted()) {
                screen.line("Rejected request to transfer " + amount + " to account ID " + requester + ".");
                warnings(f);
            } else {
                screen.error("There was an error rejecting request to transfer funds: " + r.rejectionReason());
            }
        }
        screen.pause();
    }

    private void ledger(AccountSummaryView view) {
        screen.lines(Formats.accountHeader(view.accountId(), view.name(), view.balance()));
        screen.lines(Formats.ledger(jangle.query(new AccountLedger(view.accountId())), zone));
        screen.pause();
    }

    private void changeName(String id) {
        ChangeAccountName command = askValid("New account name (5-15 chars): ", a -> new ChangeAccountName(id, a));
        if (command == null) return;
        FollowUp f = new FollowUp(null);
        CommandResponse r = send(command, f);
        if (r.isAccepted()) {
            screen.line("Account name changed to '" + command.name() + "'.");
            warnings(f);
        } else {
            screen.error("There was an error changing the account name: " + r.rejectionReason());
        }
        screen.pause();
    }

    // ---- helpers ----

    /**
     * Sends with a fresh correlation id and waits for its effects (T5), at most {@link #WAIT}; a fault in the wait is a
     * warning in {@code f}, because the command has committed.
     */
    private CommandResponse send(Command command, FollowUp f) {
        UUID correlation = UUID.randomUUID();
        CommandResponse r = jangle.send(command, SendOptions.NONE.withCorrelationId(correlation));
        if (r.isAccepted()) f.settle(jangle, correlation, WAIT);
        return r;
    }

    /**
     * Asks until {@code check} accepts the answer (T3): a refusal ({@link InvalidMessageException}, thrown by the
     * command's own constructor or by {@link #number}) prints its message and asks the same question again.
     */
    private <T> T askValid(String prompt, Function<String, T> check) {
        return askValid(true, prompt, check);
    }

    /** As above; when {@code cancellable}, an empty answer prints {@code Cancelled.} and returns null (go back). */
    private <T> T askValid(boolean cancellable, String prompt, Function<String, T> check) {
        while (true) {
            String answer = screen.ask(prompt);
            if (cancellable && answer.isEmpty()) {
                screen.line("Cancelled.");
                return null;
            }
            try {
                return check.apply(answer);
            } catch (InvalidMessageException e) {
                screen.error(e.getMessage());
            }
        }
    }

    /** A typed number, or the refusal of T3 when the text is not one. */
    private static BigDecimal number(String text) {
        BigDecimal n = Formats.parseNumber(text);
        if (n == null) throw new InvalidMessageException("amount", Formats.NOT_A_NUMBER);
        return n;
    }
}
