package jangle.banking;

import jangle.Event;
import jangle.EventRecord;
import jangle.Metadata;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Money} (§8 cents, §12 bug 7 on the domain side) and {@link BankInvariants} (W7, W8, B30). */
class MoneyAndInvariantsTest {

    @Test
    @DisplayName("§8, §12 bug 7: cents convert exactly both ways; a third decimal place is refused, never rounded")
    void cents() {
        assertThat(Money.toCents(m("46.93"))).isEqualTo(4693);
        assertThat(Money.toCents(m("-11.86"))).isEqualTo(-1186);
        assertThat(Money.toCents(m("10.500"))).isEqualTo(1050);
        assertThat(Money.toCents(m("1000000.00"))).isEqualTo(100_000_000);
        assertThat(Money.fromCents(4693)).isEqualTo(m("46.93"));
        assertThat(Money.fromCents(0)).isEqualTo(m("0.00"));
        assertThat(Money.fromCents(-1)).isEqualTo(m("-0.01"));
        assertThatThrownBy(() -> Money.toCents(m("0.001"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Money.toCents(m("1E+30"))).isInstanceOf(IllegalArgumentException.class);
        // 0.1 + 0.2 in cents is exact, unlike binary floating point
        assertThat(Money.fromCents(Money.toCents(m("0.10")) + Money.toCents(m("0.20")))).isEqualTo(m("0.30"));
    }

    /** Builds records with per-stream versions. */
    private static final class History {
        final List<EventRecord<?>> records = new ArrayList<>();
        private final Map<String, Long> versions = new HashMap<>();

        History on(String stream, Event e) {
            long v = versions.merge(stream, 1L, Long::sum);
            records.add(new EventRecord<>(UUID.randomUUID(), stream, v, e.getClass().getSimpleName(), 1,
                    TestClock.T0, records.size() + 1, Metadata.of(UUID.randomUUID()), e));
            return this;
        }
    }

    private static History twoAccounts() {
        return new History()
                .on("000001", new AccountCreated("000001", "Alice"))
                .on("000001", new FundsDeposited("000001", m("50.00"), m("50.00"), "d"))
                .on("000002", new AccountCreated("000002", "Bobby"))
                .on("000002", new FundsWithdrawn("000002", m("30.00"), m("-30.00"), "w"))
                .on("000002", new DebtForgiven("000002", m("30.00"), "f"));
    }

    @Test
    @Tag("W7")
    @DisplayName("W7: balances rebuilt from events add up to deposits - withdrawals + forgiven, deleted included")
    void conserved() {
        History h = twoAccounts()
                .on("000001", new TransferDebited("000001", "000002", m("20.00"), m("30.00"), "t"))
                .on("000002", new TransferCredited("000002", "000001", m("20.00"), m("20.00"), "t"))
                .on("000002", new AccountDeleted("000002"));
        BankInvariants.Report r = BankInvariants.of(h.records);
        assertThat(r.balances()).containsEntry("000001", m("30.00")).containsEntry("000002", m("20.00"));
        assertThat(r.expectedTotal()).isEqualTo(m("50.00"));
        assertThat(r.totalBalance()).isEqualTo(m("50.00"));
        assertThat(r.holds()).isTrue();
    }

    @Test
    @Tag("W7")
    @Tag("W8")
    @DisplayName("W8: a debit with neither credit nor rollback is in flight; W7 counts it until it lands")
    void inFlight() {
        History h = twoAccounts()
                .on("000001", new TransferDebited("000001", "000002", m("20.00"), m("30.00"), "t"))
                .on("000002", new RequestCreated("000002", "000001", m("5.00"), "r", TestClock.T0))
                .on("000001", new RequestReceived("000002", "000001", m("5.00"), "r", TestClock.T0))
                .on("000001", new RequestApproved("000001", "000002", "r"))
                .on("000001", new RequestDebited("000001", "000002", m("5.00"), m("25.00"), "r"));
        BankInvariants.Report r = BankInvariants.of(h.records);
        assertThat(r.inFlight()).containsExactlyInAnyOrder(
                new BankInvariants.InFlight(BankInvariants.Flow.TRANSFER, "000001", "t", m("20.00")),
                new BankInvariants.InFlight(BankInvariants.Flow.REQUEST, "000002", "r", m("5.00")));
        assertThat(r.settled()).isFalse();
        assertThat(r.conserved()).isFalse();
        assertThat(r.conservedCountingInFlight()).isTrue();
        h.on("000001", new TransferDebitRolledBack("000001", m("20.00"), m("45.00"), "t"))
                .on("000002", new RequestCredited("000002", m("5.00"), m("5.00"), "r"));
        assertThat(BankInvariants.of(h.records).holds()).isTrue();
    }

    @Test
    @Tag("W7")
    @DisplayName("W7 fails on money created or lost: a rollback after a credit, a wrong reported balance")
    void violations() {
        History doubled = twoAccounts()
                .on("000001", new TransferDebited("000001", "000002", m("20.00"), m("30.00"), "t"))
                .on("000002", new TransferCredited("000002", "000001", m("20.00"), m("20.00"), "t"))
                .on("000001", new TransferDebitRolledBack("000001", m("20.00"), m("50.00"), "t"));
        BankInvariants.Report r = BankInvariants.of(doubled.records);
        assertThat(r.conserved()).isFalse();
        assertThat(r.holds()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("finished twice"));

        History wrongBalance = twoAccounts()
                .on("000001", new FundsWithdrawn("000001", m("10.00"), m("45.00"), "w2"));
        assertThat(BankInvariants.of(wrongBalance.records).problems())
                .anyMatch(p -> p.contains("reports balance 45.00 but the events give 40.00"));

        History lost = twoAccounts()
                .on("000001", new TransferCredited("000001", "000002", m("1.00"), m("51.00"), "never-debited"));
        assertThat(BankInvariants.of(lost.records).problems()).anyMatch(p -> p.contains("never debited"));
    }

    @Test
    @Tag("B30")
    @Tag("W8")
    @DisplayName("B30, W8: operations are keyed by (choosing account, transaction id), never by the id alone")
    void keyedByAccountAndId() {
        History h = new History()
                .on("000001", new TransferDebited("000001", "000003", m("1.00"), m("-1.00"), "same"))
                .on("000002", new TransferDebited("000002", "000003", m("2.00"), m("-2.00"), "same"))
                .on("000003", new TransferCredited("000003", "000001", m("1.00"), m("1.00"), "same"));
        BankInvariants.Report r = BankInvariants.of(h.records);
        assertThat(r.inFlight()).containsExactly(
                new BankInvariants.InFlight(BankInvariants.Flow.TRANSFER, "000002", "same", m("2.00")));
    }
}
