package jangle.banking.app.web;

import jangle.Command;
import jangle.CommandResponse;
import jangle.ConsistencyTimeoutException;
import jangle.ConsistencyToken;
import jangle.SendOptions;
import jangle.banking.AcceptRequest;
import jangle.banking.AccountLedger;
import jangle.banking.AccountListItem;
import jangle.banking.AccountSummary;
import jangle.banking.AccountSummaryView;
import jangle.banking.AccountsList;
import jangle.banking.BankStatistics;
import jangle.banking.BankStats;
import jangle.banking.ChangeAccountName;
import jangle.banking.CreateAccount;
import jangle.banking.DeleteAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Fields;
import jangle.banking.ForgiveDebt;
import jangle.banking.LedgerEntry;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.cli.CommandFacts;
import jangle.banking.app.views.BankViews;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The bank's commands and queries over HTTP (cli.md's subcommands, the same JSON as {@code --json}).
 *
 * <p><b>Outcomes.</b> A command's answer is decided by its {@link CommandResponse}: rejected is 404 (the account does
 * not exist) or 422 (any other business rule) with the bank's reason; accepted is 200 (201 for a new account). What
 * the server does after the commit (waiting for the chain to settle, reading the outcome or the new balance) can
 * fail without undoing the commit: such a failure is a {@code warning} field in the 2xx answer, never an error
 * status, so a client never retries a command that took effect.
 *
 * <p><b>Idempotency.</b> Every write accepts {@code Idempotency-Key}; see {@link IdempotencyStore}. When the body
 * gives no transaction id, the command's is derived from the key, so a duplicate that slips past the stored answer
 * (another node, a crash between commit and save) is still one transaction to the domain.
 *
 * <p><b>Reading your writes.</b> Every command answer carries the position of its commit ({@code position} in the
 * body and the {@code X-Consistency-Token} header). A query with {@code ?after=POSITION} answers only once the read
 * models have handled the feed up to there (503 if that takes longer than the server's wait).
 */
final class BankApi {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.banking.web");
    static final String NOT_FOUND_REASON = "Account does not exist";

    private final BankingApplication app;
    private final CommandFacts facts;
    private final Http http;
    private final IdempotencyStore idempotency;
    private final Duration wait;

    BankApi(BankingApplication app, CommandFacts facts, Http http, IdempotencyStore idempotency, Duration wait) {
        this.app = app;
        this.facts = facts;
        this.http = http;
        this.idempotency = idempotency;
        this.wait = wait;
    }

    // ---- request bodies (unknown fields are refused) ----

    record NewAccount(String name, BigDecimal initialDeposit, String transactionId) {
    }

    record Amount(BigDecimal amount, String transactionId) {
    }

    record NewTransfer(String from, String to, BigDecimal amount, String transactionId) {
    }

    record NewRequest(String account, String from, BigDecimal amount, String transactionId) {
    }

    record Answer(String account) {
    }

    record NewName(String name) {
    }

    record Forgive(String transactionId) {
    }

    record Empty() {
    }

    // ---- commands ----

    void createAccount(Context ctx, WebUser user) {
        command(ctx, user, 201, body -> {
            NewAccount b = http.json(ctx, body, NewAccount.class, false);
            return new Planned(new CreateAccount(b.name(), b.initialDeposit(), tx(ctx, user, b.transactionId())),
                    r -> Map.of());
        });
    }

    void deposit(Context ctx, WebUser user) {
        String account = account(ctx);
        command(ctx, user, 200, body -> {
            Amount b = http.json(ctx, body, Amount.class, false);
            DepositFunds c = new DepositFunds(account, b.amount(), tx(ctx, user, b.transactionId()));
            return new Planned(c, r -> map("balance", CommandFacts.balanceAfter(app, account, c.transactionId(), true)));
        });
    }

    void withdraw(Context ctx, WebUser user) {
        String account = account(ctx);
        command(ctx, user, 200, body -> {
            Amount b = http.json(ctx, body, Amount.class, false);
            WithdrawFunds c = new WithdrawFunds(account, b.amount(), tx(ctx, user, b.transactionId()));
            return new Planned(c, r -> map("balance", CommandFacts.balanceAfter(app, account, c.transactionId(), false)));
        });
    }

    void transfer(Context ctx, WebUser user) {
        command(ctx, user, 200, body -> {
            NewTransfer b = http.json(ctx, body, NewTransfer.class, false);
            Transfer c = new Transfer(b.from(), b.to(), b.amount(), tx(ctx, user, b.transactionId()));
            return new Planned(c, r -> map("transactionId", c.transactionId(), "outcome",
                    CommandFacts.transferOutcome(app, c.fundingAccountId(), c.fundedAccountId(), c.transactionId())));
        });
    }

    void request(Context ctx, WebUser user) {
        command(ctx, user, 200, body -> {
            NewRequest b = http.json(ctx, body, NewRequest.class, false);
            Request c = new Request(b.account(), b.from(), b.amount(), tx(ctx, user, b.transactionId()));
            return new Planned(c, r -> map("transactionId", c.transactionId()));
        });
    }

    void accept(Context ctx, WebUser user) {
        String tx = transaction(ctx);
        command(ctx, user, 200, body -> {
            Answer b = http.json(ctx, body, Answer.class, false);
            AcceptRequest c = new AcceptRequest(b.account(), tx);
            return new Planned(c, r -> map("outcome", CommandFacts.acceptOutcome(app, c.fundingAccountId(), tx)));
        });
    }

    void reject(Context ctx, WebUser user) {
        String tx = transaction(ctx);
        command(ctx, user, 200, body -> {
            Answer b = http.json(ctx, body, Answer.class, false);
            return new Planned(new RejectRequest(b.account(), tx), r -> Map.of());
        });
    }

    void forgive(Context ctx, WebUser user) {
        String account = account(ctx);
        command(ctx, user, 200, body -> {
            Forgive b = http.json(ctx, body, Forgive.class, true);
            ForgiveDebt c = new ForgiveDebt(account, tx(ctx, user, b.transactionId()));
            return new Planned(c, r -> map("amountForgiven", CommandFacts.forgiven(app, account, c.transactionId())));
        });
    }

    void rename(Context ctx, WebUser user) {
        String account = account(ctx);
        command(ctx, user, 200, body -> {
            NewName b = http.json(ctx, body, NewName.class, false);
            return new Planned(new ChangeAccountName(account, b.name()), r -> Map.of());
        });
    }

    void delete(Context ctx, WebUser user) {
        String account = account(ctx);
        command(ctx, user, 200, body -> {
            http.json(ctx, body, Empty.class, true);
            return new Planned(new DeleteAccount(account), r -> Map.of());
        });
    }

    // ---- queries ----

    void accounts(Context ctx) {
        after(ctx);
        List<AccountListItem> items = app.jangle().query(new AccountsList());
        json(ctx, 200, facts.json(items));
    }

    void summary(Context ctx) {
        String account = account(ctx);
        after(ctx);
        Optional<AccountSummaryView> view = app.jangle().query(new AccountSummary(account));
        if (view.isEmpty()) throw new ApiError(404, "Account not found.");
        json(ctx, 200, facts.json(view.get()));
    }

    void ledger(Context ctx) {
        String account = account(ctx);
        after(ctx);
        List<LedgerEntry> entries = app.jangle().query(new AccountLedger(account));
        if (entries.isEmpty() && app.jangle().query(new AccountSummary(account)).isEmpty()) {
            throw new ApiError(404, "Account not found.");
        }
        json(ctx, 200, facts.json(entries));
    }

    void stats(Context ctx) {
        after(ctx);
        BankStatistics s = app.jangle().query(new BankStats());
        json(ctx, 200, facts.json(s));
    }

    // ---- the command pipeline ----

    /** A parsed command and how to read its own facts after it committed. */
    private record Planned(Command command, Function<CommandResponse, Map<String, Object>> facts) {
    }

    private void command(Context ctx, WebUser user, int okStatus, Function<byte[], Planned> plan) {
        byte[] body = http.body(ctx);
        String key = ctx.header("Idempotency-Key");
        if (key == null) {
            IdempotencyStore.Answer a = execute(plan.apply(body), okStatus);
            respond(ctx, a.status(), a.body(), false);
            return;
        }
        if (!Fields.isTransactionId(key)) {
            throw new ApiError(400, "Idempotency-Key must be 1 to 50 characters from A-Z, a-z, 0-9, '.', '_', ':' "
                    + "and '-'", "Idempotency-Key");
        }
        String requestHash = requestHash(ctx, body);
        IdempotencyStore.Outcome o = idempotency.run(user.name(), key, requestHash,
                () -> execute(plan.apply(body), okStatus));
        if (o.conflict()) {
            throw new ApiError(409, "Idempotency-Key '" + key + "' was already used for a different request",
                    "Idempotency-Key");
        }
        respond(ctx, o.status(), o.body(), o.replayed());
    }

    private IdempotencyStore.Answer execute(Planned p, int okStatus) {
        UUID correlation = UUID.randomUUID();
        CommandResponse r = app.jangle().send(p.command(), SendOptions.NONE.withCorrelationId(correlation));
        if (r instanceof CommandResponse.Rejected rejected) {
            int status = NOT_FOUND_REASON.equals(rejected.reason()) ? 404 : 422;
            return new IdempotencyStore.Answer(null, status, facts.json(CommandFacts.response(r, Map.of())));
        }
        // committed: from here on nothing may turn the answer into a failure
        Map<String, Object> extra = new LinkedHashMap<>();
        try {
            if (!CommandFacts.settle(app.jangle(), correlation, wait)) {
                extra.put("settled", false);
            }
            extra.putAll(p.facts().apply(r));
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("point", "web.after-commit").setCause(e)
                    .log("a committed command's outcome could not be read");
            extra.put("warning", "the command was committed, but its outcome could not be read: " + e.getMessage());
        }
        Map<String, Object> doc = CommandFacts.response(r, extra);
        return new IdempotencyStore.Answer(null, okStatus, facts.json(doc));
    }

    private void respond(Context ctx, int status, String body, boolean replayed) {
        var tree = http.tree(body);
        var position = tree.path("position");
        if (position.isNumber()) ctx.header("X-Consistency-Token", position.asText());
        if (replayed) ctx.header("Idempotent-Replayed", "true");
        if (status == 201 && tree.path("data").isTextual()) {
            ctx.header("Location", "/api/accounts/" + tree.path("data").asText());
        }
        json(ctx, status, body);
    }

    /** The method, path and body a key was first used with (SHA-256, hex). */
    private static String requestHash(Context ctx, byte[] body) {
        byte[] head = (ctx.method().name() + " " + ctx.path() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return HexFormat.of().formatHex(UserStore.sha256(all));
    }

    /** The body's transaction id, else one derived from the Idempotency-Key, else null (the command makes one). */
    private static String tx(Context ctx, WebUser user, String given) {
        if (given != null) return given;
        String key = ctx.header("Idempotency-Key");
        if (key == null) return null;
        String digest = UserStore.hash(user.name() + "\0" + key);
        return "idem-" + digest.substring(0, 40);
    }

    /** {@code ?after=POSITION}: waits until the read models have handled the feed up to there. */
    private void after(Context ctx) {
        String after = ctx.queryParam("after");
        if (after == null) return;
        long position;
        try {
            position = Long.parseLong(after.strip());
        } catch (NumberFormatException e) {
            throw new ApiError(400, "after must be a feed position (a whole number), not '" + after + "'", "after");
        }
        if (position < 0) throw new ApiError(400, "after must not be negative", "after");
        if (position == 0) return;
        try {
            app.jangle().awaitHandled(new ConsistencyToken("", 0, position), wait, BankViews.NAME);
        } catch (ConsistencyTimeoutException e) {
            ctx.header("Retry-After", "1");
            throw new ApiError(503, "the read models have not reached position " + position + " yet");
        }
    }

    private static String account(Context ctx) {
        String id = ctx.pathParam("id");
        if (!Fields.isAccountId(id)) {
            throw new ApiError(400, "account must be an account number: 6 digits such as 000042, or more digits "
                    + "without a leading zero", "account");
        }
        return id;
    }

    private static String transaction(Context ctx) {
        String tx = ctx.pathParam("tx");
        if (!Fields.isTransactionId(tx)) {
            throw new ApiError(400, "transactionId must be 1 to 50 characters from A-Z, a-z, 0-9, '.', '_', ':' "
                    + "and '-'", "transactionId");
        }
        return tx;
    }

    static void json(Context ctx, int status, String body) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(body);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
