package jangle.banking.app.cli;

import jangle.CommandResponse;
import jangle.ConfigurationException;
import jangle.ConsistencyTimeoutException;
import jangle.InvalidMessageException;
import jangle.Jangle;
import jangle.SendOptions;
import jangle.StoreException;
import jangle.Durations;
import jangle.banking.AcceptRequest;
import jangle.banking.AccountLedger;
import jangle.banking.AccountListItem;
import jangle.banking.AccountSummary;
import jangle.banking.AccountSummaryView;
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
import jangle.banking.LedgerEntry;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.RequestReceived;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankObservability;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.ProcessorReport;
import jangle.banking.app.BankingConfig;
import jangle.banking.app.load.LoadDriver;
import jangle.banking.app.load.LoadOptions;
import jangle.banking.app.load.LoadReport;
import jangle.banking.app.DemoStory;
import jangle.banking.app.FollowUp;
import jangle.banking.app.RowDifference;
import jangle.banking.app.views.ViewRebuild;
import jangle.spi.Delivery;
import jangle.spi.SagaEventEntry;
import jangle.spi.SagaState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The command line of cli.md §1 and §5, parsed by picocli. Global options are inherited by every subcommand, so they
 * may be given before or after the subcommand's name. An option beats its environment variable, which beats the
 * default. Without a subcommand it runs the interactive {@link Terminal}.
 *
 * <p>Every value that goes into a command or query is checked by that record's constructor; its
 * {@link InvalidMessageException} becomes exit 2 with {@code Invalid input: <message>}.
 */
@Command(name = "jangle-bank", versionProvider = Cli.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Jangle Banking: an interactive bank on a SQLite file, and one-shot subcommands.",
                "Without a subcommand it opens the interactive terminal."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:rejected by a business rule, or account not found",
                "2:bad input", "3:infrastructure failure", "130:interrupted (Ctrl-C)"},
        footerHeading = "%nEnvironment:%n",
        footer = {"  JANGLE_DB_PATH, JANGLE_DB_URL   the store, when --db / --db-url are not given",
                "  JANGLE_DB_USER, JANGLE_DB_PASSWORD   PostgreSQL credentials for --db-url",
                "  JANGLE_LOG_FILE, JANGLE_LOG_FORMAT   the log, when --log-file / --log-format are not given",
                "  COLUMNS, NO_COLOR   table width and colour",
                "Run 'jangle-bank COMMAND --help' for a command's arguments."})
final class Cli implements Callable<Integer> {
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);
    private static final String DISPATCH_KNOB = "JANGLE_BANK_DISPATCH";

    // descriptions shared by several subcommands' parameters (--help)
    private static final String ACCOUNT_HELP = "Account id: 6 digits such as 000042.";
    private static final String AMOUNT_HELP = "Amount: positive, at most two decimals, such as 25 or 10.50.";
    private static final String TX_HELP = "Transaction id of your choice; a retry with the same id applies once.";
    private static final String REQUEST_TX_HELP = "Transaction id of the request (as printed by request and summary).";
    private static final String HANDLER_HELP = "Only this handler's deliveries (unknown names are listed).";
    private static final String LIMIT_HELP = "At most N rows (default ${DEFAULT-VALUE}).";

    // --help is inherited so that every subcommand has it (picocli's standard help mixin does not reach method
    // subcommands correctly)
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, order = 0,
            description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, order = 0, description = "Print the version and exit.")
    boolean version;

    @Option(names = "--db", paramLabel = "PATH", scope = ScopeType.INHERIT, order = 1,
            description = {"SQLite file (env JANGLE_DB_PATH).", "Default: ./jangle-bank.db"})
    String db;

    @Option(names = "--db-url", paramLabel = "URL", scope = ScopeType.INHERIT, order = 2,
            description = {"JDBC URL, e.g. jdbc:postgresql://host/db; wins over --db (env JANGLE_DB_URL).",
                    "Credentials: env JANGLE_DB_USER and JANGLE_DB_PASSWORD."})
    String dbUrl;

    @Option(names = "--log-file", paramLabel = "PATH", scope = ScopeType.INHERIT, order = 3,
            description = {"Log file (env JANGLE_LOG_FILE).", "Default: ./jangle-bank.log"})
    String logFile;

    @Option(names = "--log-format", paramLabel = "text|json", scope = ScopeType.INHERIT, order = 4,
            description = "Log file format (env JANGLE_LOG_FORMAT; default json).")
    String logFormat;

    @Option(names = "--width", paramLabel = "N", scope = ScopeType.INHERIT, order = 5,
            description = "Table width (env COLUMNS; default the terminal's width, else 80).")
    Integer width;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, order = 6,
            description = "No colour (also env NO_COLOR). Colour is used only on a terminal.")
    boolean noColor;

    @Option(names = "--json", scope = ScopeType.INHERIT, order = 7,
            description = "Subcommands print one JSON document instead of text.")
    boolean json;

    @Option(names = "--wait", paramLabel = "DURATION", scope = ScopeType.INHERIT, order = 8,
            description = "How long a subcommand waits for its work to settle (default 5s).")
    String waitText;

    private final Main io;
    private final ZoneId zone = ZoneId.systemDefault();

    Cli(Main io) {
        this.io = io;
    }

    /** Parses and runs; returns the exit code. */
    int execute(String[] args) {
        CommandLine cl = commandLine();
        cl.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((e, a) -> {
            if (List.of(a).contains("--json")) io.out().println(jsonError("bad input", e.getMessage()));
            io.err().println("Invalid input: " + e.getMessage());
            io.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return Main.BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> fault(e));
        return cl.execute(args);
    }

    /** The command line model: this command, its method subcommands and {@code events} (also for --help tests). */
    CommandLine commandLine() {
        CommandLine cl = new CommandLine(this);
        cl.addSubcommand("events", new Events(this));
        cl.addSubcommand("check", new StoreCommands.Check(this));     // issue 17: store operations
        cl.addSubcommand("backup", new StoreCommands.Backup(this));
        cl.addSubcommand("restore", new StoreCommands.Restore(this));
        cl.addSubcommand("users", new WebCommands.Users(this, io));
        return cl;
    }

    /** Maps an exception to its exit code and prints it (cli.md §5); with --json also a JSON error document. */
    private int fault(Exception e) {
        if (io.stopping()) return Main.INTERRUPTED; // Ctrl-C closed the store under the command: quiet, 130
        if (e instanceof BadInput || e instanceof InvalidMessageException || e instanceof ConfigurationException) {
            if (json) io.out().println(jsonError("bad input", e.getMessage()));
            io.err().println("Invalid input: " + e.getMessage());
            return Main.BAD_INPUT;
        }
        if (json) io.out().println(jsonError("failure", describe(e)));
        io.err().println("Error: " + describe(e));
        return Main.FAILURE;
    }

    /**
     * The {@code --json} document of a run that has no result: {@code success} false, {@code error} (bad input, not
     * found, failure) and {@code reason}, so a script reading stdout always gets one JSON document.
     */
    static String jsonError(String error, String reason) {
        return new JsonOutput().write(ordered("success", false, "error", error, "reason", reason));
    }

    /** The message and its causes, so the cause of an infrastructure failure is named (exit 3). */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) sb.append(": ").append(c.getMessage());
        }
        return sb.toString();
    }

    /** A value that breaks a rule of the command line itself (exit 2). */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }
    }

    // =================================================================================================================
    // The interactive terminal (cli.md §2–§4)
    // =================================================================================================================

    @Override
    public Integer call() {
        BankingConfig config = config();
        int lineWidth = width();
        boolean colour = io.tty() && !noColor && !io.env().containsKey("NO_COLOR");
        var reader = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        Screen screen = new Screen(reader, io.out(), colour, !io.tty(), lineWidth);
        screen.line("Jangle Banking");
        screen.line("Jangle Banking terminal initializing...");
        BankingApplication app = BankingApplication.open(config);
        io.opened(app, true);
        screen.line("Initialization complete.");
        long pending = app.pendingDeliveries();
        long behind = app.unhandledEvents();
        long due = app.dueSagas();
        screen.line("Initializing background tasks...");
        if (dispatchOn()) {
            app.start();
            screen.line("Background tasks initialized.");
        } else {
            screen.line("Background tasks are off (" + DISPATCH_KNOB + "=off): work stays pending.");
        }
        if (pending > 0 || due > 0 || behind > 0) {
            screen.line("Resuming: processors up to " + behind + " events behind, " + pending
                    + " pending deliveries, " + due + " sagas due.");
            // the processors catch up in the background (D17); the menu waits for them, bounded, as before (D10)
            if (dispatchOn()) Outcomes.catchUp(app, waitLimit());
        }
        new Terminal(screen, app, zone).run();
        screen.line("Goodbye.");
        io.closeApplication();
        return Main.OK;
    }

    // =================================================================================================================
    // User commands (cli.md §5): one subcommand per user command
    // =================================================================================================================

    @Command(name = "create-account", description = "Opens an account; prints its id.")
    int createAccount(@Option(names = "--name", paramLabel = "NAME", required = true,
                              description = "Account holder's name, 5 to 15 characters.") String name,
                      @Option(names = "--initial-deposit", paramLabel = "AMOUNT",
                              description = "Deposited on opening; absent or 0: no deposit.") String initialDeposit) {
        BigDecimal deposit = initialDeposit == null ? null : amount(initialDeposit);
        if (deposit != null && deposit.signum() == 0) deposit = null; // 0 means no deposit, as in the terminal
        CreateAccount command = new CreateAccount(name, deposit, null);
        return send(command, command.transactionId(), (app, r, f) -> new Printed(String.valueOf(r.data()), Map.of()));
    }

    @Command(name = "deposit", description = "Deposits into an account; prints the new balance.")
    int deposit(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account,
                @Parameters(index = "1", paramLabel = "AMOUNT", description = AMOUNT_HELP) String amount,
                @Option(names = "--tx", paramLabel = "ID", description = TX_HELP) String tx) {
        DepositFunds command = new DepositFunds(account, amount(amount), tx);
        return send(command, command.transactionId(), (app, r, f) -> balance(app, account, f,
                f.read("the deposit's event", () -> Outcomes.find(app.jangle().stores().events(), account,
                        FundsDeposited.class, e -> e.transactionId().equals(command.transactionId()))
                        .map(FundsDeposited::balance).orElse(null))));
    }

    @Command(name = "withdraw", description = "Withdraws from an account; prints the new balance.")
    int withdraw(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account,
                 @Parameters(index = "1", paramLabel = "AMOUNT", description = AMOUNT_HELP) String amount,
                 @Option(names = "--tx", paramLabel = "ID", description = TX_HELP) String tx) {
        WithdrawFunds command = new WithdrawFunds(account, amount(amount), tx);
        return send(command, command.transactionId(), (app, r, f) -> balance(app, account, f,
                f.read("the withdrawal's event", () -> Outcomes.find(app.jangle().stores().events(), account,
                        FundsWithdrawn.class, e -> e.transactionId().equals(command.transactionId()))
                        .map(FundsWithdrawn::balance).orElse(null))));
    }

    @Command(name = "send", description = "Sends funds; prints the transaction id and its outcome "
            + "(credited, returned, in progress).")
    int sendFunds(@Parameters(index = "0", paramLabel = "FROM", description = "Account the funds leave.") String from,
                  @Parameters(index = "1", paramLabel = "TO", description = "Account the funds go to.") String to,
                  @Parameters(index = "2", paramLabel = "AMOUNT", description = AMOUNT_HELP) String amount,
                  @Option(names = "--tx", paramLabel = "ID", description = TX_HELP) String tx) {
        Transfer command = new Transfer(from, to, amount(amount), tx);
        return send(command, command.transactionId(), (app, r, f) -> {
            String outcome = f.read("the transfer's outcome", () -> Outcomes.transfer(app.jangle().stores().events(),
                    from, to, command.transactionId())).orElse(Outcomes.TransferOutcome.IN_PROGRESS).text;
            return new Printed(command.transactionId() + " " + outcome,
                    ordered("transactionId", command.transactionId(), "outcome", outcome));
        });
    }

    @Command(name = "request", description = "ACCOUNT asks FROM for funds; prints the transaction id.")
    int requestFunds(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account,
                     @Parameters(index = "1", paramLabel = "FROM", description = "Account asked to pay.") String from,
                     @Parameters(index = "2", paramLabel = "AMOUNT", description = AMOUNT_HELP) String amount,
                     @Option(names = "--tx", paramLabel = "ID", description = TX_HELP) String tx) {
        Request command = new Request(account, from, amount(amount), tx);
        return send(command, command.transactionId(), (app, r, f) -> {
            if (dispatchOn()) notOnItsWay(app, f, from, command.transactionId());
            return new Printed(command.transactionId(), ordered("transactionId", command.transactionId()));
        });
    }

    @Command(name = "accept", description = "ACCOUNT accepts the request TX; prints the outcome "
            + "(credited, failed, returned, in progress).")
    int accept(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account,
               @Parameters(index = "1", paramLabel = "TX", description = REQUEST_TX_HELP) String tx) {
        AcceptRequest command = new AcceptRequest(account, tx);
        return send(command, tx, (app, r, f) -> {
            var store = app.jangle().stores().events();
            String outcome = f.read("the request's outcome", () -> Outcomes.receivedRequest(store, account, tx)
                            .map(RequestReceived::fundedAccountId)
                            .map(requester -> Outcomes.accept(store, account, requester, tx))
                            .orElse(Outcomes.AcceptOutcome.IN_PROGRESS))
                    .orElse(Outcomes.AcceptOutcome.IN_PROGRESS).text;
            return new Printed(outcome, ordered("outcome", outcome));
        });
    }

    @Command(name = "reject", description = "ACCOUNT rejects the request TX.")
    int reject(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account,
               @Parameters(index = "1", paramLabel = "TX", description = REQUEST_TX_HELP) String tx) {
        return send(new RejectRequest(account, tx), tx, (app, r, f) -> new Printed("rejected", Map.of()));
    }

    @Command(name = "forgive", description = "Forgives a negative balance; prints the amount forgiven.")
    int forgive(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account,
                @Option(names = "--tx", paramLabel = "ID", description = TX_HELP) String tx) {
        ForgiveDebt command = new ForgiveDebt(account, tx);
        return send(command, command.transactionId(), (app, r, f) -> {
            String forgiven = f.read("the forgiveness's event", () -> Outcomes.find(app.jangle().stores().events(),
                            account, DebtForgiven.class, e -> e.transactionId().equals(command.transactionId()))
                    .map(e -> Formats.money(e.amount())).orElse("0.00")).orElse(""); // "": unreadable, warned
            return new Printed(forgiven, ordered("amountForgiven", forgiven.isEmpty() ? null : new BigDecimal(forgiven)));
        });
    }

    @Command(name = "delete-account", description = "Deletes (soft) an account.")
    int deleteAccount(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account) {
        return send(new DeleteAccount(account), null, (app, r, f) -> new Printed("deleted", Map.of()));
    }

    @Command(name = "change-name", description = "Renames an account.")
    int changeName(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account,
                   @Parameters(index = "1", paramLabel = "NAME", description = "New name, 5 to 15 characters.") String name) {
        return send(new ChangeAccountName(account, name), null, (app, r, f) -> new Printed("renamed", Map.of()));
    }

    /** Text for stdout and the extra JSON fields of one accepted command. */
    private record Printed(String text, Map<String, Object> extra) {
    }

    /** Tells what became of one committed command; its reads go through the {@link FollowUp}, so they cannot fail it. */
    @FunctionalInterface
    private interface Printer {
        Printed print(BankingApplication app, CommandResponse.Accepted r, FollowUp f);
    }

    /**
     * Starts the application, sends, waits (at most {@code --wait}) until the chain has settled (CA3), prints the
     * result: exit 0, or 1 with {@code Rejected: <reason>} on stderr.
     *
     * <p>Once the command is accepted it has committed: whatever fails after that (the wait, the outcome's reads, the
     * views, closing the store) is printed as a {@code Warning:} line on stderr (and under {@code warnings} in JSON)
     * beside the outcome and its transaction id, and the exit code stays 0 (issue 16 item 2, issue 18 item 3).
     */
    private int send(jangle.Command command, String transactionId, Printer printer) {
        return withApplication(true, app -> {
            UUID correlation = UUID.randomUUID();
            Jangle jangle = app.jangle();
            CommandResponse r;
            try {
                r = jangle.send(command, SendOptions.NONE.withCorrelationId(correlation));
            } catch (StoreException e) {
                // the connection failed while the command was sent: its COMMIT may have reached the server
                if (retryable(command) && (e.fault() == StoreException.Fault.CONNECTION_LOST
                        || e.fault() == StoreException.Fault.TIMEOUT)) {
                    io.err().println("The command may have been recorded before the connection failed. Retry it with "
                            + "--tx " + transactionId + ": a command with the same transaction id is applied once.");
                }
                throw e;
            }
            if (!(r instanceof CommandResponse.Accepted accepted)) {
                if (json) io.out().println(new JsonOutput().write(JsonOutput.response(r, Map.of())));
                io.err().println("Rejected: " + r.rejectionReason());
                return Main.REJECTED;
            }
            FollowUp f = new FollowUp(transactionId);
            boolean settled = !dispatchOn() || f.settle(jangle, correlation, waitLimit());
            Printed p;
            try {
                p = printer.print(app, accepted, f);
            } catch (RuntimeException e) {
                f.warn("telling its outcome failed: " + FollowUp.describe(e));
                p = new Printed(transactionId == null ? "committed" : transactionId, Map.of());
            }
            if (!settled && f.warnings().isEmpty() && !(command instanceof Transfer || command instanceof AcceptRequest)) {
                f.warn("its follow-up work has not finished within " + waitLimit().toMillis() / 1000.0
                        + " s; 'accounts', 'summary' and 'ledger' may not show it yet");
            }
            Printed shown = p;
            closeAfterCommit(f);
            Map<String, Object> extra = new LinkedHashMap<>(shown.extra());
            if (transactionId != null) extra.putIfAbsent("transactionId", transactionId);
            if (!f.warnings().isEmpty()) extra.put("warnings", f.warnings());
            io.out().println(json ? new JsonOutput().write(JsonOutput.response(r, extra)) : shown.text());
            f.warningLines().forEach(io.err()::println);
            return Main.OK;
        });
    }

    /**
     * Issue 16 item 9: a request is on its way only once the funding account holds it ({@code RequestReceived}) and
     * none of its work fails (its saga, which carries an acceptance through, could not be stored, say); otherwise the
     * user is told, beside the transaction id.
     */
    static void notOnItsWay(BankingApplication app, FollowUp f, String funding, String tx) {
        boolean received = f.read("the request's arrival", () -> Outcomes.receivedRequest(app.jangle().stores().events(),
                funding, tx).isPresent()).orElse(false);
        if (!received) {
            f.warn("the request is not on its way: account " + funding + " has not received it");
        } else if (f.failingWork()) {
            f.warn("the request is not on its way: its work fails (see above) and it cannot be accepted until that is "
                    + "fixed");
        }
    }

    /** The commands whose subcommand takes {@code --tx}, so a retry with the same id is applied once. */
    private static boolean retryable(jangle.Command command) {
        return command instanceof DepositFunds || command instanceof WithdrawFunds || command instanceof Transfer
                || command instanceof Request || command instanceof ForgiveDebt;
    }

    /** Closes the store after a committed command; a fault there is a warning, never a failure of the command. */
    private void closeAfterCommit(FollowUp f) {
        try {
            io.closeApplication();
        } catch (RuntimeException e) {
            f.warn("closing the store failed: " + FollowUp.describe(e));
        }
    }

    /**
     * The account's balance that the command decided: the one its event recorded (for an idempotent repeat, the
     * original's). Not the read model, which may be behind or unreadable (issue 16 item 3); only when the event cannot
     * be read is the read model asked, with a warning.
     */
    private Printed balance(BankingApplication app, String account, FollowUp f, Optional<BigDecimal> fromEvent) {
        BigDecimal balance = fromEvent.orElse(null);
        if (balance == null) {
            balance = f.read("the account's view", () -> app.jangle().query(new AccountSummary(account))
                    .map(AccountSummaryView::balance).orElse(null)).orElse(null);
            if (balance != null) f.warn("the balance shown comes from the account's view, which may be behind");
        }
        String text = balance == null ? "" : Formats.money(balance);
        return new Printed(text, ordered("balance", balance));
    }

    // =================================================================================================================
    // Queries
    // =================================================================================================================

    @Command(name = "accounts", description = "Prints the account table.")
    int accounts() {
        return query(app -> {
            List<AccountListItem> items = app.jangle().query(new AccountsList());
            print(items, () -> Formats.accountTable(items, width()));
            return Main.OK;
        });
    }

    @Command(name = "stats", description = "Prints the bank statistics.")
    int stats() {
        return query(app -> {
            BankStatistics s = app.jangle().query(new BankStats());
            print(s, () -> Formats.statistics(s));
            return Main.OK;
        });
    }

    @Command(name = "summary", description = "Prints an account's header and the requests awaiting its approval.")
    int summary(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account) {
        AccountSummary q = new AccountSummary(account);
        return query(app -> {
            Optional<AccountSummaryView> view = app.jangle().query(q);
            if (view.isEmpty()) return notFound();
            // with the requests' transaction ids, which accept and reject take
            print(view.get(), () -> Formats.accountSummary(view.get(), zone, true));
            return Main.OK;
        });
    }

    @Command(name = "ledger", description = "Prints an account's ledger (also for a deleted account).")
    int ledger(@Parameters(index = "0", paramLabel = "ACCOUNT", description = ACCOUNT_HELP) String account) {
        AccountLedger q = new AccountLedger(account);
        return query(app -> {
            List<LedgerEntry> entries = app.jangle().query(q);
            // an account that ever existed has events; a deleted one is no longer in the summary view
            if (entries.isEmpty() && app.jangle().stores().events().lastVersion(account) == 0) return notFound();
            print(entries, () -> Formats.ledger(entries, zone));
            return Main.OK;
        });
    }

    private int notFound() {
        if (json) io.out().println(jsonError("not found", "Account not found."));
        io.err().println("Account not found.");
        return Main.REJECTED;
    }

    /**
     * Starts the application and waits (at most {@code --wait}) for work resumed from an earlier run to be done, so
     * the answer includes it (T9), then queries.
     */
    private int query(Function<BankingApplication, Integer> action) {
        return withApplication(true, app -> {
            if (dispatchOn()) Outcomes.catchUp(app, waitLimit());
            return action.apply(app);
        });
    }

    private void print(Object value, java.util.function.Supplier<List<String>> text) {
        if (json) {
            io.out().println(new JsonOutput().write(value));
        } else {
            text.get().forEach(io.out()::println);
        }
    }

    // =================================================================================================================
    // daemon, demo, replay
    // =================================================================================================================

    @Command(name = "daemon", description = "Runs dispatch and both daemons with no menu until Ctrl-C.")
    int daemon() {
        // issue 17: a long-running process waits for a database that is down or recovering; one-shot commands do not
        BankingConfig config = config();
        BankingApplication opened;
        try {
            opened = jangle.banking.app.DatabaseWait.standard(line -> {
                io.err().println(line);
                io.err().flush();
            }).open(config.describeStore(), () -> BankingApplication.open(config));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130; // as after Ctrl-C
        }
        return withApplication(opened, true, app -> {
            io.opened(app, true);
            io.out().println("Jangle Banking daemon running on " + app.config().describeStore()
                    + ". Press Ctrl-C to stop.");
            io.out().flush();
            try {
                new StoreWatch(app.database()::probeWrite, io.err()).runUntil(io::awaitStop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Main.OK;
        });
    }

    @Command(name = "serve", description = "Serves the HTTP API and the web console, with dispatch and both daemons, "
            + "until Ctrl-C.")
    int serve(@Option(names = "--host", defaultValue = "127.0.0.1", description = "Address (default 127.0.0.1).")
              String host,
              @Option(names = "--port", defaultValue = "8080", description = "Port (default 8080; 0: any free).")
              int port,
              @Option(names = "--first-operator", paramLabel = "NAME",
                      description = "When there are no users yet, add this operator and print its token once.")
              String firstOperator,
              @Option(names = "--insecure-cookies",
                      description = "Session cookies without Secure (only for plain HTTP off localhost).")
              boolean insecureCookies) {
        return new WebCommands(this, io).serve(host, port, firstOperator, insecureCookies);
    }

    @Command(name = "demo", description = "Runs the scripted story of the bank (accounts, transfers, requests, "
            + "debt) and checks every step.")
    int demo(@Option(names = "--keep", description = "Keep the temporary database and print its path.") boolean keep,
             @Option(names = "--memory", description = "Run on the in-memory stores.") boolean memory) {
        // the story is text, on a file or in memory: options it cannot honour are refused, not ignored
        if (dbUrl != null) throw new BadInput("demo runs on a SQLite file (--db) or in memory (--memory), not --db-url");
        if (json) throw new BadInput("demo prints its story as text; --json is not supported");
        checkLogFile();
        // JANGLE_DB_PATH/URL are ignored by demo: only --db on the command line names its store
        Map<String, String> env = new HashMap<>(io.env());
        env.remove("JANGLE_DB_PATH");
        env.remove("JANGLE_DB_URL");
        Path file = null;
        boolean temporary = false;
        BankingConfig config;
        if (memory) {
            config = new BankingConfig(null, null, null, null, true, Clock.systemUTC(), env);
        } else if (db != null) {
            CliPaths.databaseFile("--db", db);
            file = Path.of(db);
            config = new BankingConfig(db, null, null, null, false, Clock.systemUTC(), env);
        } else {
            file = temporaryFile();
            temporary = true;
            config = new BankingConfig(file.toString(), null, null, null, false, Clock.systemUTC(), env);
        }
        String where = file == null ? "memory" : file.toString();
        try {
            BankingApplication app = BankingApplication.open(config);
            io.opened(app, false);
            if (app.storeHasEvents()) {
                io.err().println("demo needs an empty store: " + where + " already holds events");
                return Main.BAD_INPUT;
            }
            DemoStory.Outcome outcome = new DemoStory().run(app, step -> {
                io.out().println("Step " + step.number() + ": " + step.title());
                step.lines().forEach(io.out()::println);
                io.out().flush();
            });
            io.closeApplication();
            if (!outcome.passed()) {
                DemoStory.StepResult failed = outcome.firstFailure().orElse(null);
                if (failed == null) {
                    io.out().println("The demo stopped after " + outcome.steps().size() + " of "
                            + DemoStory.STEPS + " steps.");
                } else {
                    io.out().println("Step " + failed.number() + " differs.");
                    io.out().println("Expected:");
                    failed.expected().lines().forEach(l -> io.out().println("  " + l));
                    io.out().println("Actual:");
                    failed.actual().lines().forEach(l -> io.out().println("  " + l));
                }
                return Main.REJECTED;
            }
            if (keep && file != null) io.out().println("Kept the demo database: " + file.toAbsolutePath());
            io.out().println("Done!");
            return Main.OK;
        } finally {
            io.closeApplication();
            if (temporary && !keep) deleteDatabase(file);
        }
    }

    @Command(name = "replay", description = "Rebuilds the read models from the event store.")
    int replay(@Option(names = "--verify", description = "Rebuild into a scratch copy and compare row by row.")
               boolean verify,
               @Option(names = "--shuffle", paramLabel = "SEED",
                       description = "With --verify: deliver the history three times, shuffled with SEED.")
               Long seed) {
        if (seed != null && !verify) throw new BadInput("--shuffle needs --verify");
        if (verify) {
            // dispatch runs so that live work is not reported as a difference; the rebuild itself runs no reactor
            return withApplication(true, app -> {
                if (dispatchOn()) Outcomes.catchUp(app, waitLimit());
                List<RowDifference> differences = app.verifyReplay(seed);
                if (json) {
                    io.out().println(new JsonOutput().write(ordered("differences", differences)));
                } else if (differences.isEmpty()) {
                    io.out().println("No differences: the read models match the event store"
                            + (seed == null ? "." : " (shuffled three times with seed " + seed + ")."));
                } else {
                    for (RowDifference d : differences) {
                        io.out().println(d.table() + " " + d.key() + ": live " + d.live() + ", rebuilt " + d.rebuilt());
                    }
                    io.out().println(differences.size() + (differences.size() == 1 ? " difference." : " differences."));
                }
                return differences.isEmpty() ? Main.OK : Main.REJECTED;
            });
        }
        return withApplication(false, app -> {
            long startNanos = System.nanoTime();
            long[] lastPrint = {startNanos};
            // a new generation of the read models is built beside the live one, which keeps serving (R6)
            ViewRebuild.Result result = app.rebuild(new ViewRebuild.Listener() {
                @Override
                public void progress(long done, long total, double rate) {
                    long now = System.nanoTime();
                    if (!json && now - lastPrint[0] >= TimeUnit.SECONDS.toNanos(1)) {
                        lastPrint[0] = now;
                        io.out().println("Replayed " + done + " of " + total + " events");
                        io.out().flush();
                    }
                }
            });
            double seconds = result.elapsed().toNanos() / 1e9;
            long rate = Math.round(result.asReplayResult().eventsPerSecond());
            long swapMillis = result.swap().toMillis();
            if (json) {
                io.out().println(new JsonOutput().write(ordered("events", result.events(),
                        "lastPosition", result.swappedAt(), "seconds", seconds, "eventsPerSecond", rate,
                        "swappedAt", result.swappedAt(), "swapMillis", swapMillis)));
            } else {
                io.out().println(String.format(Locale.ROOT, "Replayed %d events in %.2f s (%d events/s).",
                        result.events(), seconds, rate));
                io.out().println("Switched to the rebuilt read models at position " + result.swappedAt() + " (swap "
                        + swapMillis + " ms).");
            }
            return Main.OK;
        });
    }

    @Command(name = "load", description = {"Runs a banking workload with dispatch, read models, mediation and sagas, "
            + "and prints commands/s, events/s, latencies and the database's raw insert+commit rate.",
            "Without --db, --db-url or --memory it uses a temporary SQLite file."})
    int load(@Option(names = "--memory", description = "Run on the in-memory stores.") boolean memory,
             @Option(names = "--threads", defaultValue = "1", description = "Sending threads (default 1).") int threads,
             @Option(names = "--seconds", defaultValue = "10", description = "Measured time (default 10).") int seconds,
             @Option(names = "--commands", defaultValue = "0",
                     description = "Stop after this many measured commands (default: no limit).") long commands,
             @Option(names = "--warmup", defaultValue = "10", description = "Unmeasured warm-up seconds (default 10: "
                     + "the JIT compiles for that long on two cores).")
             int warmup,
             @Option(names = "--accounts", defaultValue = "1000", description = "Accounts (default 1000).") int accounts,
             @Option(names = "--mix", defaultValue = "full", paramLabel = "MIX",
                     description = "full, dw, or weights like deposits=40,withdrawals=40,transfers=10,requests=10.")
             String mix,
             @Option(names = "--rate", defaultValue = "0",
                     description = "Open loop: commands/s over all threads (default 0: closed loop).") double rate,
             @Option(names = "--anchor-seconds", defaultValue = "3",
                     description = "Seconds per raw insert+commit measurement (0: skip; default 3).") int anchorSeconds,
             @Option(names = "--seed", defaultValue = "1", description = "Random seed (default 1).") long seed,
             @Option(names = "--keep", description = "Keep the temporary database and print its path.") boolean keep) {
        LoadOptions options;
        try {
            options = new LoadOptions(threads, Duration.ofSeconds(seconds), commands, Duration.ofSeconds(warmup),
                    accounts, LoadOptions.Mix.parse(mix), rate, seed, Duration.ofSeconds(anchorSeconds));
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        Path file = null;
        BankingConfig config;
        if (memory) {
            config = config().withMemory(true);
        } else if (db == null && dbUrl == null) {
            file = temporaryFile();
            config = config().withDbPath(file.toString());
        } else {
            config = config();
        }
        try {
            LoadDriver.ViewsProgress views = new LoadDriver.ViewsProgress();
            BankingApplication app = BankingApplication.open(config, b -> b.checkpointListener(views));
            io.opened(app, false);
            if (app.storeHasEvents()) {
                io.err().println("load needs an empty store: " + config.describeStore() + " already holds events");
                return Main.BAD_INPUT;
            }
            app.start();
            LoadReport report = new LoadDriver(app, views, options, io.out()).run(config.describeStore());
            io.out().print(report.format());
            if (keep && file != null) io.out().println("Kept the load database: " + file.toAbsolutePath());
            if (report.fault() != null) {
                io.err().println("Error: " + report.fault()); // issue 18.1: one line, after what was measured
                return Main.FAILURE;
            }
            return report.countsAddUp() && report.settled() && report.money().conserved() ? Main.OK : Main.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130; // cli.md: interrupted
        } finally {
            io.closeApplication();
            if (file != null && !keep) deleteDatabase(file);
        }
    }

    // =================================================================================================================
    // Operator commands (cli.md §5.3)
    // =================================================================================================================

    @Command(name = "health", description = "Prints the health of the bank's store: processor lag, dead letters, "
            + "overdue sagas. Exit 0 when ready (up or degraded), 1 when down.")
    int health(@Option(names = "--max-lag", paramLabel = "SECONDS", defaultValue = "60",
            description = "Oldest unhandled event of a processor, parked delivery or due saga allowed, in seconds "
                    + "(default 60).") long maxLag) {
        if (maxLag <= 0) throw new BadInput("--max-lag must be a positive number of seconds, not " + maxLag);
        return withApplication(false, app -> {
            // a one-shot process runs no dispatch: it judges the shared store (lag says whether any node runs it)
            jangle.Health h = app.jangle().operations().health(new jangle.Health.Policy(Duration.ofSeconds(maxLag), false));
            // the library judges the processors' lag (lag:<processor>) and parked deliveries; each processor's
            // checkpoint and lag are listed beside, caught up or not (D17)
            List<ProcessorReport.Row> processors = ProcessorReport.read(app.jangle().operations());
            if (json) {
                List<Map<String, Object>> checks = new ArrayList<>();
                for (jangle.Health.Check c : h.checks()) {
                    checks.add(ordered("name", c.name(), "probe", c.probe().name().toLowerCase(java.util.Locale.ROOT),
                            "status", c.status().name(), "detail", c.detail()));
                }
                io.out().println(new JsonOutput().write(ordered("status", h.status().name(), "at", h.at(),
                        "checks", checks, "processors", ProcessorReport.json(processors,
                                app.jangle().stores().events().lastPosition()).get("processors"))));
            } else {
                BankObservability.describe(h).forEach(io.out()::println);
                BankObservability.describe(processors).forEach(io.out()::println);
            }
            boolean ready = h.ready();
            return ready ? Main.OK : Main.REJECTED;
        });
    }

    @Command(name = "metrics", description = "Starts the bank (catching up on waiting work), then prints its meters "
            + "in the Prometheus text format.")
    int metrics() {
        return withApplication(true, app -> {
            io.out().print(app.observability().scrape());
            return Main.OK;
        });
    }

    @Command(name = "sagas", description = "Lists incomplete sagas (--all: finished ones too).")
    int sagas(@Option(names = "--all", description = "Finished sagas too.") boolean all,
              @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = LIMIT_HELP) int limit) {
        return withApplication(false, app -> {
            List<SagaState> sagas = app.jangle().operations().sagas(all, positive(limit, "--limit"));
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SagaState s : sagas) {
                    rows.add(ordered("sagaId", s.sagaId(), "sagaType", s.sagaType(), "flags", flags(s),
                            "retryAt", s.retryAt(), "timeoutAt", s.timeoutAt(), "timedOut", s.timedOut(),
                            "complete", s.complete(), "nextLookAt", s.wakeAt()));
                }
                io.out().println(new JsonOutput().write(rows));
            } else if (sagas.isEmpty()) {
                io.out().println("No open sagas.");
            } else {
                List<String> headers = new ArrayList<>(List.of("Saga id", "Type", "Flags", "Retry at", "Timeout at",
                        "Timed out", "Next look"));
                if (all) headers.add("Complete");
                List<List<String>> rows = new ArrayList<>();
                for (SagaState s : sagas) {
                    List<String> row = new ArrayList<>(List.of(s.sagaId(), s.sagaType(),
                            flags(s).isEmpty() ? "-" : String.join(",", flags(s)), time(s.retryAt()),
                            time(s.timeoutAt()), s.timedOut() ? "yes" : "no", time(s.wakeAt())));
                    if (all) row.add(s.complete() ? "yes" : "no");
                    rows.add(row);
                }
                Formats.grid(headers, rows).forEach(io.out()::println);
                // issue 16.10: when the saga daemon (SG9) will look at each saga, from its stored wake time
                io.out().println("Next look: the first saga daemon pass from that time on (one at start, then every "
                        + interval(app.jangle().settings().sagaRetryInterval()) + "); '-': only an event for the "
                        + "saga wakes it.");
            }
            return Main.OK;
        });
    }

    private static String interval(java.time.Duration d) {
        return d.toMillis() < 1000 ? d.toMillis() + "ms" : Formats.age(d);
    }

    /** A saga's flags: the saga-internal events it recorded (its routed domain events are not flags). */
    private static List<String> flags(SagaState s) {
        List<String> flags = new ArrayList<>();
        for (SagaEventEntry e : s.events()) {
            if (!(e.event() instanceof BankEvent) && !flags.contains(e.type())) flags.add(e.type());
        }
        return flags;
    }

    /** {@code events processors|reset|pending|dead|retry|skip}: the processors and their stuck work (D12, D17). */
    @Command(name = "events", description = "Processors (checkpoints, lag, reset), parked deliveries and dead letters: "
            + "list, retry, skip.")
    static final class Events {
        private final Cli cli;

        Events(Cli cli) {
            this.cli = cli;
        }

        @Command(name = "processors", description = "Lists the processors: checkpoint, lag in events and seconds, "
                + "segment holders, parked and dead deliveries.")
        int processors(@Option(names = "--segments", description = "One line per segment.") boolean segments) {
            return cli.withApplication(false, app -> {
                // a one-shot process runs no dispatch: it shows the shared store, whichever node holds the segments
                List<ProcessorReport.Row> rows = ProcessorReport.read(app.jangle().operations());
                long last = app.jangle().stores().events().lastPosition();
                if (cli.json) {
                    cli.io.out().println(new JsonOutput().write(ProcessorReport.json(rows, last)));
                } else if (rows.isEmpty()) {
                    cli.io.out().println("No processors have run on this store yet (head of the feed: " + last + ").");
                } else {
                    Formats.processors(rows, last, segments, Instant.now()).forEach(cli.io.out()::println);
                }
                return Main.OK;
            });
        }

        @Command(name = "reset", description = "Moves every segment of a processor to a feed position, so it handles "
                + "the events after it again (its parked deliveries above it are dropped).")
        int reset(@Parameters(index = "0", paramLabel = "PROCESSOR",
                          description = "The processor (as listed by events processors).") String processor,
                  @Parameters(index = "1", paramLabel = "POSITION",
                          description = "A feed position from 0 (the beginning) to the head.") String position) {
            return cli.withApplication(false, app -> {
                long last = app.jangle().stores().events().lastPosition();
                int changed;
                try {
                    changed = ProcessorReport.reset(app.jangle().operations(), processor, position, last);
                } catch (ProcessorReport.ResetRefused e) {
                    throw new BadInput(e.getMessage());
                }
                cli.io.out().println(cli.json
                        ? new JsonOutput().write(ordered("processor", processor, "position", Long.parseLong(position.strip()),
                        "segments", changed))
                        : "Reset " + processor + " to position " + position.strip() + " (" + changed
                        + (changed == 1 ? " segment)." : " segments)."));
                return Main.OK;
            });
        }

        @Command(name = "pending", description = "Lists parked deliveries awaiting a retry.")
        int pending(@Option(names = "--handler", paramLabel = "NAME", description = HANDLER_HELP) String handler,
                    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = LIMIT_HELP)
                    int limit) {
            return cli.withApplication(false, app -> {
                knownHandler(app, handler);
                List<Delivery> list = app.jangle().operations().pending(handler, positive(limit, "--limit"));
                cli.deliveries(list, false, "Nothing pending.");
                return Main.OK;
            });
        }

        @Command(name = "dead", description = "Lists dead letters.")
        int dead(@Option(names = "--handler", paramLabel = "NAME", description = HANDLER_HELP) String handler,
                 @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = LIMIT_HELP)
                 int limit) {
            return cli.withApplication(false, app -> {
                knownHandler(app, handler);
                List<Delivery> list = app.jangle().operations().deadLetters(handler, positive(limit, "--limit"));
                cli.deliveries(list, true, "No dead letters.");
                return Main.OK;
            });
        }

        @Command(name = "retry", description = "Puts dead letters back to pending and runs them now.")
        int retry(@Parameters(index = "0", arity = "0..1", paramLabel = "EVENT_ID",
                          description = "Event id of the dead letter (as listed by events dead).") String eventId,
                  @Option(names = "--all", description = "Every dead letter (of --handler).") boolean all,
                  @Option(names = "--handler", paramLabel = "NAME", description = HANDLER_HELP) String handler) {
            if (all == (eventId != null)) throw new BadInput("give either EVENT_ID or --all");
            UUID id = eventId == null ? null : eventId(eventId);
            return cli.withApplication(true, app -> {
                knownHandler(app, handler);
                var ops = app.jangle().operations();
                List<Delivery> dead = ops.deadLetters(handler, Integer.MAX_VALUE).stream()
                        .filter(d -> id == null || d.eventId().equals(id)).toList();
                int n = id == null ? ops.retryAll(handler) : ops.retry(id, handler);
                if (id != null && n == 0) {
                    cli.io.err().println("No such delivery: " + eventId);
                    return Main.REJECTED;
                }
                if (cli.dispatchOn()) {
                    long deadline = System.nanoTime() + cli.waitLimit().toNanos();
                    dead.stream().map(Delivery::correlationId).filter(java.util.Objects::nonNull).distinct()
                            .forEach(c -> {
                                Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                                try {
                                    app.jangle().awaitSettled(c, left);
                                } catch (ConsistencyTimeoutException e) {
                                    // still running, or failed again: "events dead" shows it
                                }
                            });
                }
                cli.io.out().println(cli.json ? new JsonOutput().write(ordered("retried", n))
                        : (n == 0 ? "No dead letters." : "Retried " + n + (n == 1 ? " delivery." : " deliveries.")));
                return Main.OK;
            });
        }

        @Command(name = "skip", description = "Marks a delivery done without running it (logged with the reason).")
        int skip(@Parameters(index = "0", paramLabel = "EVENT_ID",
                         description = "Event id of the delivery (as listed by events pending or dead).") String eventId,
                 @Option(names = "--handler", paramLabel = "NAME", required = true,
                         description = "The handler whose delivery is skipped.") String handler,
                 @Option(names = "--reason", paramLabel = "TEXT", required = true,
                         description = "Why, for the log.") String reason) {
            UUID id = eventId(eventId);
            if (reason.isBlank()) throw new BadInput("--reason must not be blank");
            return cli.withApplication(false, app -> {
                knownHandler(app, handler);
                if (!app.jangle().operations().skip(id, handler, reason)) {
                    cli.io.err().println("No such delivery: " + eventId);
                    return Main.REJECTED;
                }
                cli.io.out().println(cli.json ? new JsonOutput().write(ordered("skipped", true))
                        : "Skipped " + eventId + " for " + handler + ".");
                return Main.OK;
            });
        }

        /** A {@code --handler} that names no registered handler is bad input that lists the names (null: all). */
        private static void knownHandler(BankingApplication app, String handler) {
            List<String> names = app.jangle().operations().handlers();
            if (handler != null && !names.contains(handler)) {
                throw new BadInput("unknown handler '" + handler + "'; the handlers are: " + String.join(", ", names));
            }
        }

        private static UUID eventId(String text) {
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                throw new BadInput("EVENT_ID must be an event id (a UUID): " + text);
            }
        }
    }

    /** The operator table of pending deliveries or dead letters (D12). */
    private void deliveries(List<Delivery> list, boolean dead, String empty) {
        Instant now = Instant.now();
        if (json) {
            io.out().println(new JsonOutput().write(list));
            return;
        }
        if (list.isEmpty()) {
            io.out().println(empty);
            return;
        }
        List<String> headers = new ArrayList<>(List.of("Event id", "Type", "Account", "Version", "Position",
                "Handler", "Attempts"));
        if (dead) headers.addAll(List.of("First failure", "Last failure"));
        headers.addAll(List.of("Age", "Last error"));
        List<List<String>> rows = new ArrayList<>();
        for (Delivery d : list) {
            List<String> row = new ArrayList<>(List.of(d.eventId().toString(), d.eventType(), d.aggregateId(),
                    String.valueOf(d.version()), String.valueOf(d.position()), d.handler(),
                    String.valueOf(d.attempts())));
            if (dead) row.addAll(List.of(time(d.firstFailureAt()), time(d.lastAttemptAt())));
            row.add(Formats.age(Duration.between(d.committedAt(), now)));
            row.add(d.lastError() == null ? "-" : d.lastError());
            rows.add(row);
        }
        Formats.grid(headers, rows).forEach(io.out()::println);
    }

    // =================================================================================================================
    // Shared
    // =================================================================================================================

    /**
     * Opens the application of the global options, optionally starts dispatch (not when {@code JANGLE_BANK_DISPATCH=off}),
     * runs the action and closes the application gracefully; unfinished work stays pending for the next start.
     */
    int withApplication(boolean start, Function<BankingApplication, Integer> action) {
        return withApplication(BankingApplication.open(config()), start, action);
    }

    /** {@link #withApplication(boolean, Function)} on an application already opened. */
    int withApplication(BankingApplication app, boolean start, Function<BankingApplication, Integer> action) {
        io.opened(app, false);
        try {
            if (start && dispatchOn()) app.start();
            return action.apply(app);
        } finally {
            io.closeApplication();
        }
    }

    /** The store and settings of cli.md §1: option, else environment variable, else default. */
    BankingConfig config() {
        Map<String, String> env = new HashMap<>(io.env());
        if (logFormat != null) {
            if (!logFormat.equals("text") && !logFormat.equals("json")) {
                throw new BadInput("--log-format must be text or json, not '" + logFormat + "'");
            }
            env.put("JANGLE_LOG_FORMAT", logFormat);
        }
        // the log format is the bank's setting, not the core's: checked here, where the logging is set up
        String envFormat = env.get("JANGLE_LOG_FORMAT");
        if (envFormat != null && !envFormat.isBlank() && !envFormat.equals("text") && !envFormat.equals("json")) {
            throw new BadInput("JANGLE_LOG_FORMAT must be text or json, not '" + envFormat + "'");
        }
        String path = db != null ? db : env.get("JANGLE_DB_PATH");
        String url = dbUrl != null ? dbUrl : env.get("JANGLE_DB_URL");
        if (path != null && path.isBlank()) throw new BadInput("--db must not be empty");
        if (path != null && url == null) CliPaths.databaseFile(db != null ? "--db" : "JANGLE_DB_PATH", path);
        checkLogFile();
        return new BankingConfig(path, url, env.get("JANGLE_DB_USER"), env.get("JANGLE_DB_PASSWORD"), false,
                Clock.systemUTC(), env);
    }

    /** Issue 16.7: the log file of {@code --log-file}, {@code JANGLE_LOG_FILE} or the default can be written. */
    private void checkLogFile() {
        String log = logFile != null ? logFile : io.env().get("JANGLE_LOG_FILE");
        if (log != null && !log.isBlank()) CliPaths.logFile(logFile != null ? "--log-file" : "JANGLE_LOG_FILE", log);
        else CliPaths.logFile("the log file", "./jangle-bank.log");
    }

    boolean dispatchOn() {
        return !"off".equalsIgnoreCase(io.env().getOrDefault(DISPATCH_KNOB, "on").strip());
    }

    Duration waitLimit() {
        if (waitText == null) return DEFAULT_WAIT;
        try {
            Duration d = Durations.parse(waitText);
            if (d.isNegative()) throw new IllegalArgumentException("must not be negative");
            return d;
        } catch (IllegalArgumentException e) {
            throw new BadInput("--wait " + waitText + ": " + e.getMessage());
        }
    }

    /** T7: {@code --width}, else {@code COLUMNS}, else the terminal's width when on a TTY, else 80. */
    int width() {
        if (width != null) {
            if (width < 1) throw new BadInput("--width must be a positive number");
            return width;
        }
        String columns = io.env().get("COLUMNS");
        if (columns != null) {
            try {
                int n = Integer.parseInt(columns.strip());
                if (n > 0) return n;
            } catch (NumberFormatException e) {
                // ignored: an unusable COLUMNS falls through to the default
            }
        }
        if (io.tty()) {
            int n = ttyColumns();
            if (n > 0) return n;
        }
        return 80;
    }

    /** {@code stty size} on the controlling terminal; 0 when it cannot be asked. */
    private static int ttyColumns() {
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/tty"))).redirectErrorStream(true).start();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return 0;
            }
            String[] parts = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip()
                    .split("\\s+");
            return parts.length == 2 ? Integer.parseInt(parts[1]) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** A typed amount: "not a number" is bad input; the amount rule is the command's. */
    private static BigDecimal amount(String text) {
        BigDecimal n = Formats.parseNumber(text.strip());
        if (n == null) throw new BadInput(Formats.NOT_A_NUMBER);
        return n;
    }

    private static int positive(int n, String option) {
        if (n < 1) throw new BadInput(option + " must be a positive number");
        return n;
    }

    private String time(Instant instant) {
        return instant == null ? "-" : Formats.time(instant, zone);
    }

    /** A map that keeps the order of its keys (for JSON), allowing null values. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    private static Path temporaryFile() {
        try {
            Path file = Files.createTempFile("jangle-bank-demo-", ".db");
            Files.delete(file); // SQLite creates it
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create a temporary database file", e);
        }
    }

    private static void deleteDatabase(Path file) {
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            try {
                Files.deleteIfExists(Path.of(file + suffix));
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }

    /** {@code --version}: the jar's implementation version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[]{"jangle-bank " + (v == null ? "(development build)" : v)};
        }
    }
}
