package jangle.banking.app.reliability;

import jangle.Command;
import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.RetriesExhaustedException;
import jangle.banking.AcceptRequest;
import jangle.banking.ChangeAccountName;
import jangle.banking.CreateAccount;
import jangle.banking.DeleteAccount;
import jangle.banking.DepositFunds;
import jangle.banking.ForgiveDebt;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.banking.app.testsupport.OrderCheck;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Child-JVM load driver for the crash and multi-node suites (issue 5 §1–2, issue 6): opens the store named by
 * {@code args[0]} (a SQLite file, or a {@code jdbc:postgresql:} URL with user and password {@code postgres}) with
 * dispatch, mediation and sagas running, then sends seeded ({@code args[1]}) random commands of every kind until it
 * is killed. Optional {@code args[2]} is the node id; with it the node uses short leases (failed-events max age 2s,
 * saga retry interval 1s) so a killed node's claims are taken over within the test. Optional {@code args[3] = hot}
 * works only on the accounts that exist at start (no creations or deletions), so several nodes hammer the same few
 * accounts. With {@code args[3] = dw} the node opens 50 accounts of its own and then only deposits and withdraws on
 * them (the scaling run's workload). Every ACCEPTED command's token is printed as {@code ACK aggregateId version position}, every command
 * whose optimistic retries ran out as {@code EXH}, flushed, so the parent knows what was acknowledged before the
 * SIGKILL.
 */
public final class CrashWorkload {
    private CrashWorkload() {
    }

    /** With this system property set to true the node also runs {@link OrderCheck} (a processor of its own). */
    static final String ORDER_CHECK = "jangle.test.orderCheck";

    /** Settings of a node in the multi-node suite: its id and leases short enough to see a takeover (D21). */
    static Map<String, String> nodeEnvironment(String nodeId) {
        return Map.of("JANGLE_NODE_ID", nodeId, "JANGLE_FAILED_EVENTS_MAX_AGE", "2s",
                "JANGLE_FAILED_EVENTS_RETRY_INTERVAL", "500ms", "JANGLE_SAGA_RETRY_INTERVAL", "1s",
                "JANGLE_PROCESSOR_LEASE", "2s");
    }

    static BankingConfig config(String store) {
        return store.startsWith("jdbc:") ? BankingConfig.database(store, "postgres", "postgres")
                : BankingConfig.sqlite(Path.of(store));
    }

    public static void main(String[] args) {
        Random random = new Random(Long.parseLong(args[1]));
        BankingConfig config = config(args[0]);
        if (args.length > 2) config = config.withEnvironment(nodeEnvironment(args[2]));
        boolean hot = args.length > 3 && args[3].equals("hot");
        boolean dw = args.length > 3 && args[3].equals("dw");
        PrintStream out = new PrintStream(System.out, false);
        OrderCheck check = Boolean.getBoolean(ORDER_CHECK) ? new OrderCheck() : null;
        try (BankingApplication app = check == null ? BankingApplication.open(config)
                : BankingApplication.open(config, b -> b.projection(check))) {
            if (check != null) check.bind(app.database());
            app.start();
            List<String> accounts = dw ? openAccounts(app, 50) : new ArrayList<>(knownAccounts(app));
            List<String[]> requests = new ArrayList<>(); // {funding, tx}
            out.println("READY");
            out.flush();
            while (true) {
                try {
                    CommandResponse r = app.jangle().send(dw ? depositOrWithdraw(random, accounts)
                            : next(random, accounts, requests, hot));
                    if (r.isAccepted() && r.token() != null) {
                        out.println("ACK " + r.token().aggregateId() + " " + r.token().version() + " "
                                + r.token().position());
                        out.flush();
                    }
                } catch (RetriesExhaustedException e) {
                    out.println("EXH " + e.getMessage());
                    out.flush();
                }
            }
        }
    }

    private static List<String> openAccounts(BankingApplication app, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CreateAccount create = new CreateAccount("Load holder " + i, new BigDecimal("1000.00"), null);
            while (true) {
                try {
                    ids.add(app.jangle().send(create).acceptedData(String.class));
                    break;
                } catch (RetriesExhaustedException e) {
                    // every node provisions ids from the one creation aggregate: a client tries again
                }
            }
        }
        return ids;
    }

    private static Command depositOrWithdraw(Random random, List<String> accounts) {
        String a = accounts.get(random.nextInt(accounts.size()));
        BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(5_000), 2);
        return random.nextBoolean() ? new DepositFunds(a, amount, null) : new WithdrawFunds(a, amount, null);
    }

    /** Accounts created by earlier runs: the aggregate ids found in the store. */
    private static List<String> knownAccounts(BankingApplication app) {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        long after = 0;
        while (true) {
            List<EventRecord<?>> page = app.jangle().stores().events().readFeed(after, 1000);
            if (page.isEmpty()) return new ArrayList<>(ids);
            for (EventRecord<?> e : page) {
                if (jangle.banking.Fields.isAccountId(e.aggregateId())) ids.add(e.aggregateId());
            }
            after = page.getLast().position();
        }
    }

    private static Command next(Random random, List<String> accounts, List<String[]> requests, boolean hot) {
        if (!hot && (accounts.size() < 3 || random.nextInt(100) < 5)) {
            String id = String.format("%06d", accounts.size() + 1);
            accounts.add(id); // ids are sequential; a guess that is wrong only makes a harmless rejection
            return new CreateAccount("Holder " + random.nextInt(10_000), random.nextBoolean() ? amount(random) : null,
                    null);
        }
        String a = accounts.get(random.nextInt(accounts.size()));
        String b = accounts.get(random.nextInt(accounts.size()));
        if (b.equals(a)) b = String.format("%06d", accounts.size() + 5); // a missing account
        int dice = random.nextInt(100);
        if (dice < 18) return new DepositFunds(a, amount(random), null);
        if (dice < 30) return new WithdrawFunds(a, amount(random), null);
        if (dice < 50) return new Transfer(a, b, amount(random), null);
        if (dice < 62) {
            Request req = new Request(a, b, amount(random), null);
            requests.add(new String[]{b, req.transactionId()});
            return req;
        }
        if (dice < 74 && !requests.isEmpty()) {
            String[] q = requests.get(requests.size() - 1 - random.nextInt(Math.min(5, requests.size())));
            return random.nextInt(3) == 0 ? new RejectRequest(q[0], q[1]) : new AcceptRequest(q[0], q[1]);
        }
        if (dice < 82) return new ForgiveDebt(a, null);
        if (dice < 85 && !hot) return new DeleteAccount(a);
        return new ChangeAccountName(a, "Renamed " + random.nextInt(10_000));
    }

    private static BigDecimal amount(Random random) {
        long cents = random.nextInt(10) == 0 ? 1 + random.nextInt(200_000) : 1 + random.nextInt(40_000);
        return BigDecimal.valueOf(cents, 2);
    }
}
