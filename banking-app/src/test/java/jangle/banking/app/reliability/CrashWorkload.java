package jangle.banking.app.reliability;

import jangle.Command;
import jangle.CommandResponse;
import jangle.EventRecord;
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

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * Child-JVM load driver for the crash suite (issue 5 §1): opens the SQLite file named by {@code args[0]} with
 * dispatch, mediation and sagas running, then sends seeded random commands of every kind until it is killed.
 * Every ACCEPTED command's token is printed as {@code ACK aggregateId version position}, flushed, so the parent
 * knows exactly what was acknowledged before the SIGKILL.
 */
public final class CrashWorkload {
    private CrashWorkload() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        PrintStream out = new PrintStream(System.out, false);
        try (BankingApplication app = BankingApplication.open(BankingConfig.sqlite(file))) {
            app.start();
            List<String> accounts = new ArrayList<>(knownAccounts(app));
            List<String[]> requests = new ArrayList<>(); // {funding, tx}
            out.println("READY");
            out.flush();
            while (true) {
                CommandResponse r = app.jangle().send(next(random, accounts, requests));
                if (r.success() && r.token() != null) {
                    out.println("ACK " + r.token().aggregateId() + " " + r.token().version() + " "
                            + r.token().position());
                    out.flush();
                }
            }
        }
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

    private static Command next(Random random, List<String> accounts, List<String[]> requests) {
        if (accounts.size() < 3 || random.nextInt(100) < 5) {
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
        if (dice < 85) return new DeleteAccount(a);
        return new ChangeAccountName(a, "Renamed " + random.nextInt(10_000));
    }

    private static BigDecimal amount(Random random) {
        long cents = random.nextInt(10) == 0 ? 1 + random.nextInt(200_000) : 1 + random.nextInt(40_000);
        return BigDecimal.valueOf(cents, 2);
    }
}
