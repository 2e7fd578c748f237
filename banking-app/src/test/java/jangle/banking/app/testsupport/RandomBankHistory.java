package jangle.banking.app.testsupport;

import jangle.Command;
import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.Jangle;
import jangle.banking.AcceptRequest;
import jangle.banking.BankingDomain;
import jangle.banking.ChangeAccountName;
import jangle.banking.CreateAccount;
import jangle.banking.DeleteAccount;
import jangle.banking.DepositFunds;
import jangle.banking.ForgiveDebt;
import jangle.banking.RejectRequest;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.test.MutableClock;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A long, seeded, random banking history: thousands of commands of every user kind, run through the real domain in a
 * {@link Jangle} with in-memory stores. Dispatch is driven by explicit passes after every command, so mediation and
 * the request saga run and the history is reproducible from the seed. The clock moves forward between commands and
 * sometimes jumps past the 30-minute request timeout. Includes transfers to missing and deleted accounts, requests
 * from deleted accounts, accepted and rejected requests, repeated transaction ids (idempotent repeats) and one id
 * reused by two accounts (B30), debts forgiven up to and beyond the quota, renames and deletions.
 */
public final class RandomBankHistory {
    private final Random random;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
    private final Jangle jangle;
    private final List<String> accounts = new ArrayList<>();
    private final List<String[]> requests = new ArrayList<>(); // {funding, tx, requester}
    private final java.util.Set<String> deleted = new java.util.HashSet<>();
    private final List<Command> repeatable = new ArrayList<>();
    private int accepted;
    private int rejected;

    private RandomBankHistory(long seed) {
        this.random = new Random(seed);
        this.jangle = BankingDomain.register(Jangle.builder().clock(clock).environment(Map.of())).build();
    }

    /** Runs {@code commands} random commands and returns every committed event of the store, in feed order. */
    public static List<EventRecord<?>> generate(long seed, int commands) {
        RandomBankHistory h = new RandomBankHistory(seed);
        try {
            h.run(commands);
            return h.feed();
        } finally {
            h.jangle.close();
        }
    }

    private void run(int commands) {
        for (int i = 0; i < commands; i++) {
            step();
            settle();
            if (i % 25 == 24) {
                jangle.operations().runSagaDaemonPass();
                settle();
            }
            clock.advance(Duration.ofSeconds(random.nextInt(30)));
            if (random.nextInt(150) == 0) clock.advance(Duration.ofMinutes(20 + random.nextInt(20)));
        }
        settle();
        jangle.operations().runSagaDaemonPass();
        settle();
    }

    private void settle() {
        for (int guard = 0; guard < 100; guard++) {
            // the processors up to the head (D17), then the parked deliveries (D3): settled when neither did anything
            int work = jangle.operations().runProcessorsPass();
            work += jangle.operations().runCatchUpPass();
            if (work == 0) return;
        }
        throw new IllegalStateException("dispatch did not settle");
    }

    private void step() {
        if (accounts.size() < 3 || random.nextInt(100) < 6) {
            BigDecimal initial = random.nextBoolean() ? null : amount();
            String id = send(new CreateAccount("Holder " + (accounts.size() + 1000), initial, null)).acceptedData(String.class);
            accounts.add(id);
            return;
        }
        String a = pick();
        int dice = random.nextInt(100);
        if (dice < 16) {
            send(new DepositFunds(a, amount(), null), true);
        } else if (dice < 28) {
            send(new WithdrawFunds(a, amount(), null), true);
        } else if (dice < 44) {
            send(new Transfer(a, target(a), amount(), null), true);
        } else if (dice < 58) {
            Request r = new Request(a, other(a), amount(), null);
            if (send(r).isAccepted()) requests.add(new String[]{r.fundingAccountId(), r.transactionId(), a});
        } else if (dice < 70) {
            String[] r = pickRequest();
            if (r != null) send(new AcceptRequest(r[0], r[1]));
        } else if (dice < 76) {
            String[] r = pickRequest();
            if (r != null) send(new RejectRequest(r[0], r[1]));
        } else if (dice < 83) {
            send(new ForgiveDebt(a, null));
        } else if (dice < 86) {
            if (send(new DeleteAccount(a)).isAccepted()) deleted.add(a);
        } else if (dice < 90) {
            send(new ChangeAccountName(a, "Renamed " + random.nextInt(10_000)));
        } else if (dice < 94) {
            if (!repeatable.isEmpty()) send(repeatable.get(random.nextInt(repeatable.size())));
        } else if (dice < 96) {
            // B25: the requester is deleted before the funder accepts: the credit fails, the debit is rolled back
            String[] r = pickRequest();
            if (r != null && !r[2].equals(r[0]) && send(new DeleteAccount(r[2])).isAccepted()) {
                deleted.add(r[2]);
                send(new AcceptRequest(r[0], r[1]));
            }
        } else {
            // B30: two accounts pick the same transaction id towards one third account
            String tx = "shared-" + random.nextInt(50);
            String b = other(a);
            String c = other(b);
            if (c.equals(a)) return;
            send(new Transfer(a, c, amount(), tx));
            send(new Transfer(b, c, amount(), tx));
            if (random.nextBoolean()) {
                // and the same for requests: both ask the third account, with one id
                Request ra = new Request(a, c, amount(), "asked-" + random.nextInt(50));
                Request rb = new Request(b, c, amount(), ra.transactionId());
                if (send(ra).isAccepted()) requests.add(new String[]{c, ra.transactionId(), a});
                if (send(rb).isAccepted()) requests.add(new String[]{c, rb.transactionId(), b});
            }
        }
    }

    private CommandResponse send(Command c, boolean remember) {
        if (remember && random.nextInt(4) == 0) repeatable.add(c);
        return send(c);
    }

    private CommandResponse send(Command c) {
        CommandResponse r = jangle.send(c);
        if (r.isAccepted()) accepted++;
        else rejected++;
        return r;
    }

    /** Mostly a live account; now and then any account, deleted ones included. */
    private String pick() {
        for (int i = 0; i < 10 && random.nextInt(10) != 0; i++) {
            String a = accounts.get(random.nextInt(accounts.size()));
            if (!deleted.contains(a)) return a;
        }
        return accounts.get(random.nextInt(accounts.size()));
    }

    private String other(String not) {
        for (int i = 0; i < 20; i++) {
            String o = pick();
            if (!o.equals(not)) return o;
        }
        return not.equals(accounts.get(0)) ? accounts.get(1) : accounts.get(0);
    }

    /** Mostly an existing other account; sometimes a well-formed id that does not exist (yet). */
    private String target(String from) {
        if (random.nextInt(12) == 0) {
            String missing = String.format("%06d", accounts.size() + 1 + random.nextInt(3));
            if (!missing.equals(from)) return missing;
        }
        return other(from);
    }

    /** Mostly one of the latest requests (still open), now and then any (decided or expired). */
    private String[] pickRequest() {
        if (requests.isEmpty()) return null;
        int n = requests.size();
        if (random.nextInt(5) == 0) return requests.get(random.nextInt(n));
        return requests.get(n - 1 - random.nextInt(Math.min(n, 6)));
    }

    /** 0.01 to 400.00, sometimes large enough to hit the floor. */
    private BigDecimal amount() {
        long cents = random.nextInt(10) == 0 ? 1 + random.nextInt(200_000) : 1 + random.nextInt(40_000);
        return BigDecimal.valueOf(cents, 2);
    }

    private List<EventRecord<?>> feed() {
        List<EventRecord<?>> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<EventRecord<?>> page = jangle.stores().events().readFeed(after, 1000);
            if (page.isEmpty()) return all;
            all.addAll(page);
            after = page.getLast().position();
        }
    }

    @Override
    public String toString() {
        return "RandomBankHistory[accepted=" + accepted + ", rejected=" + rejected + "]";
    }
}
