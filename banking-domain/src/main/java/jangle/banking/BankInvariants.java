package jangle.banking;

import jangle.EventRecord;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The money rules of banking.md §10 checked on events alone (the first half of W9): balances rebuilt from every
 * money event, the totals W7 compares, and the set of operations in flight (W8). Used by the domain's tests, the
 * application's demo and the reliability suites; reads nothing but the list it is given.
 *
 * {@snippet :
 * BankInvariants.Report report = BankInvariants.of(allEvents);
 * if (report.settled() && !report.conserved()) throw new AssertionError(report.describe());
 * }
 */
public final class BankInvariants {
    private BankInvariants() {
    }

    /** What kind of cross-account operation is in flight. */
    public enum Flow { TRANSFER, REQUEST }

    /**
     * A debited transfer or request with neither its credit nor its rollback yet (W8). Named by the account that
     * chose the transaction id (the funding account of a transfer, the requester of a request) and the id (B30).
     */
    public record InFlight(Flow flow, String accountId, String transactionId, BigDecimal amount) {
    }

    /**
     * The outcome of a check.
     *
     * @param balances    every account's balance rebuilt from its money events (deleted accounts included), by id
     * @param deposits    all deposits, initial ones included
     * @param withdrawals all withdrawals
     * @param forgiven    all forgiven debts
     * @param inFlight    operations debited but neither credited nor rolled back (W8)
     * @param problems    anything impossible found on the way: an event whose {@code balance} differs from the
     *                    rebuilt one, a balance below the floor, an operation both credited and rolled back, or
     *                    finished without a debit
     */
    public record Report(Map<String, BigDecimal> balances, BigDecimal deposits, BigDecimal withdrawals,
                         BigDecimal forgiven, Set<InFlight> inFlight, List<String> problems) {
        public Report {
            balances = Collections.unmodifiableMap(new TreeMap<>(balances));
            inFlight = Collections.unmodifiableSet(new LinkedHashSet<>(inFlight));
            problems = List.copyOf(problems);
        }

        /** Sum of all balances, deleted accounts included (the net balance). */
        public BigDecimal totalBalance() {
            return balances.values().stream().reduce(Money.ZERO, BigDecimal::add);
        }

        /** deposits − withdrawals + forgiven: what the balances must add up to when nothing is in flight. */
        public BigDecimal expectedTotal() {
            return deposits.subtract(withdrawals).add(forgiven);
        }

        /** Money debited but not yet credited or rolled back. */
        public BigDecimal inFlightAmount() {
            return inFlight.stream().map(InFlight::amount).reduce(Money.ZERO, BigDecimal::add);
        }

        /** True when no transfer and no request is in flight (W8). */
        public boolean settled() {
            return inFlight.isEmpty();
        }

        /** W7: the balances add up to deposits − withdrawals + forgiven, to the cent. Meaningful when settled. */
        public boolean conserved() {
            return totalBalance().compareTo(expectedTotal()) == 0;
        }

        /** The general form, true at any moment: balances + in-flight money = deposits − withdrawals + forgiven. */
        public boolean conservedCountingInFlight() {
            return totalBalance().add(inFlightAmount()).compareTo(expectedTotal()) == 0;
        }

        /** W7 holds, nothing is in flight and nothing impossible was found. */
        public boolean holds() {
            return settled() && conserved() && problems.isEmpty();
        }

        /** One line for messages: the sums, the in-flight count and the first problems. */
        public String describe() {
            return "deposits " + deposits.toPlainString() + " - withdrawals " + withdrawals.toPlainString()
                    + " + forgiven " + forgiven.toPlainString() + " = " + expectedTotal().toPlainString()
                    + "; balances total " + totalBalance().toPlainString() + " over " + balances.size()
                    + " accounts; in flight " + inFlight.size() + " (" + inFlightAmount().toPlainString() + ")"
                    + (problems.isEmpty() ? "" : "; problems: " + problems.subList(0, Math.min(5, problems.size())));
        }
    }

    /** Checks every banking event in {@code events} (any order; other event types are ignored). */
    public static Report of(List<EventRecord<?>> events) {
        List<EventRecord<?>> ordered = new ArrayList<>(events.size());
        for (EventRecord<?> r : events) if (r.event() instanceof BankEvent) ordered.add(r);
        ordered.sort(Comparator.<EventRecord<?>, String>comparing(EventRecord::aggregateId)
                .thenComparingLong(EventRecord::version));

        Map<String, BigDecimal> balances = new HashMap<>();
        BigDecimal deposits = Money.ZERO;
        BigDecimal withdrawals = Money.ZERO;
        BigDecimal forgiven = Money.ZERO;
        Map<Key, BigDecimal> debited = new LinkedHashMap<>();
        Map<Key, String> finished = new HashMap<>();
        List<String> problems = new ArrayList<>();

        for (EventRecord<?> r : ordered) {
            String account = r.aggregateId();
            BigDecimal before = balances.getOrDefault(account, Money.ZERO);
            BigDecimal after = before;
            BigDecimal reported = null;
            switch ((BankEvent) r.event()) {
                case FundsDeposited e -> {
                    deposits = deposits.add(e.amount());
                    after = before.add(e.amount());
                    reported = e.balance();
                }
                case FundsWithdrawn e -> {
                    withdrawals = withdrawals.add(e.amount());
                    after = before.subtract(e.amount());
                    reported = e.balance();
                }
                case DebtForgiven e -> {
                    forgiven = forgiven.add(e.amount());
                    after = before.add(e.amount());
                    if (after.signum() != 0) problems.add(where(r) + " forgave " + e.amount() + " of " + before);
                }
                case TransferDebited e -> {
                    after = before.subtract(e.amount());
                    reported = e.balance();
                    debited.put(new Key(Flow.TRANSFER, e.fundingAccountId(), e.transactionId()), e.amount());
                }
                case TransferCredited e -> {
                    after = before.add(e.amount());
                    reported = e.balance();
                    finish(finished, new Key(Flow.TRANSFER, e.fundingAccountId(), e.transactionId()), r, problems);
                }
                case TransferDebitRolledBack e -> {
                    after = before.add(e.amount());
                    reported = e.balance();
                    finish(finished, new Key(Flow.TRANSFER, e.fundingAccountId(), e.transactionId()), r, problems);
                }
                case RequestDebited e -> {
                    after = before.subtract(e.amount());
                    reported = e.balance();
                    debited.put(new Key(Flow.REQUEST, e.fundedAccountId(), e.transactionId()), e.amount());
                }
                case RequestCredited e -> {
                    after = before.add(e.amount());
                    reported = e.balance();
                    finish(finished, new Key(Flow.REQUEST, e.fundedAccountId(), e.transactionId()), r, problems);
                }
                case RequestDebitRolledBack e -> {
                    after = before.add(e.amount());
                    reported = e.balance();
                    finish(finished, new Key(Flow.REQUEST, e.fundedAccountId(), e.transactionId()), r, problems);
                }
                case AccountIdProvisioned e -> {
                    continue; // not an account stream
                }
                case AccountCreated e -> {
                }
                case AccountNameChanged e -> {
                }
                case AccountDeleted e -> {
                }
                case RequestCreated e -> {
                }
                case RequestReceived e -> {
                }
                case RequestApproved e -> {
                }
                case RequestRejected e -> {
                }
                case RequestRejectionReceived e -> {
                }
            }
            balances.put(account, after);
            if (reported != null && reported.compareTo(after) != 0) {
                problems.add(where(r) + " reports balance " + reported.toPlainString() + " but the events give "
                        + after.toPlainString());
            }
            if (after.compareTo(Money.FLOOR) < 0) problems.add(where(r) + " leaves the balance below the floor");
        }

        Set<InFlight> inFlight = new LinkedHashSet<>();
        for (var d : debited.entrySet()) {
            if (!finished.containsKey(d.getKey())) {
                inFlight.add(new InFlight(d.getKey().flow(), d.getKey().accountId(), d.getKey().tx(), d.getValue()));
            }
        }
        for (var f : finished.entrySet()) {
            if (!debited.containsKey(f.getKey())) problems.add(f.getValue() + " finishes an operation never debited");
        }
        return new Report(balances, deposits, withdrawals, forgiven, inFlight, problems);
    }

    private record Key(Flow flow, String accountId, String tx) {
    }

    private static void finish(Map<Key, String> finished, Key key, EventRecord<?> r, List<String> problems) {
        String previous = finished.putIfAbsent(key, where(r));
        if (previous != null && !Objects.equals(previous, where(r))) {
            problems.add(key.flow() + " " + key.accountId() + ":" + key.tx() + " finished twice: " + previous
                    + " and " + where(r));
        }
    }

    private static String where(EventRecord<?> r) {
        return r.type() + " " + r.aggregateId() + " v" + r.version();
    }
}
