package jangle.banking;

import jangle.AggregateHarness;
import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.Metadata;
import jangle.spi.NewEvent;
import jangle.spi.Snapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;

/** banking.md §5: {@link AccountCreationAggregate}, B1–B5 (framework C1–C3). */
class AccountCreationAggregateTest {

    @Test
    @Tag("B2")
    @DisplayName("B2, §12 bug 10: ids are n with at least 6 digits, zero-padded, and keep working past 999,999")
    void accountIds() {
        assertThat(AccountCreationAggregate.accountIdOf(1)).isEqualTo("000001");
        assertThat(AccountCreationAggregate.accountIdOf(42)).isEqualTo("000042");
        assertThat(AccountCreationAggregate.accountIdOf(999_999)).isEqualTo("999999");
        assertThat(AccountCreationAggregate.accountIdOf(1_000_000)).isEqualTo("1000000");
        assertThat(AccountCreationAggregate.accountIdOf(123_456_789_012L)).isEqualTo("123456789012");
        for (long n : new long[]{1, 999_999, 1_000_000, 1_000_001, 999_999_999_999_999_999L}) {
            assertThat(Fields.isAccountId(AccountCreationAggregate.accountIdOf(n))).as("n=%d", n).isTrue();
        }
    }

    @Test
    @Tag("B2")
    @Tag("B3")
    @DisplayName("B2, B3: the millionth account is 1000000, and its commands are valid")
    void millionthAccount() {
        // straight through the harness: 999,999 provisioning events rebuilt once (the fixture would copy them)
        AggregateHarness<AccountCreationAggregate> harness = AggregateHarness.of(AccountCreationAggregate.class,
                AccountCreationAggregate::new, new TestClock());
        List<EventRecord<?>> history = new ArrayList<>(999_999);
        Metadata meta = Metadata.of(UUID.randomUUID());
        for (int i = 1; i <= 999_999; i++) {
            history.add(new EventRecord<>(new UUID(0, i), AccountCreationAggregate.ID, i, "AccountIdProvisioned", 1,
                    TestClock.T0, i, meta, new AccountIdProvisioned(AccountCreationAggregate.accountIdOf(i))));
        }
        AccountCreationAggregate aggregate = harness.rehydrate(AccountCreationAggregate.ID, history);
        AggregateHarness.Decision d = harness.decide(aggregate, new CreateAccount("Millionth"));
        assertThat(d.response().acceptedData(Object.class)).isEqualTo("1000000");
        assertThat(d.events()).extracting(NewEvent::aggregateId, NewEvent::version, NewEvent::event).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AccountCreationAggregate.ID, 1_000_000L,
                        new AccountIdProvisioned("1000000")),
                org.assertj.core.groups.Tuple.tuple("1000000", 1L, new AccountCreated("1000000", "Millionth")));
        assertThat(new DepositFunds("1000000", m("1")).aggregateId()).isEqualTo("1000000");
    }

    @Test
    @Tag("B1")
    @Tag("B3")
    @DisplayName("B1, B3: CreateAccount is always accepted; provisioning, creation and the initial deposit commit "
            + "atomically with the right streams and versions; the response's data is the new id")
    void createWithInitialDeposit() {
        try (Bank bank = new Bank()) {
            CommandResponse r1 = bank.send(new CreateAccount("HSPBC"));
            CommandResponse r2 = bank.send(new CreateAccount("Natalie", m("100"), "init-2"));
            assertThat(r1.isAccepted()).isTrue();
            assertThat(r1.acceptedData(Object.class)).isEqualTo("000001");
            assertThat(r2.acceptedData(Object.class)).isEqualTo("000002");
            List<EventRecord<?>> feed = bank.feed();
            assertThat(feed).extracting(EventRecord::aggregateId, EventRecord::version, EventRecord::event)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("ACCOUNT_CREATION_AGGREGATE", 1L,
                                    new AccountIdProvisioned("000001")),
                            org.assertj.core.groups.Tuple.tuple("000001", 1L, new AccountCreated("000001", "HSPBC")),
                            org.assertj.core.groups.Tuple.tuple("ACCOUNT_CREATION_AGGREGATE", 2L,
                                    new AccountIdProvisioned("000002")),
                            org.assertj.core.groups.Tuple.tuple("000002", 1L, new AccountCreated("000002", "Natalie")),
                            org.assertj.core.groups.Tuple.tuple("000002", 2L,
                                    new FundsDeposited("000002", m("100.00"), m("100.00"), "init-2")));
            // the version of the creation aggregate is the number of accounts ever created (B1)
            assertThat(bank.jangle.stores().events().lastVersion(AccountCreationAggregate.ID)).isEqualTo(2);
            // the new account is usable at once
            assertThat(bank.send(new WithdrawFunds("000002", m("200"))).isAccepted()).isTrue();
        }
    }

    @Test
    @Tag("B4")
    @Tag("C3")
    @DisplayName("B4, C3: snapshot every 100 with an empty state: creating an account reads at most 99 events")
    void snapshots() {
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(b -> b.stores(stores).aggregateCacheSize(0))) {
            long maxRead = 0;
            for (int i = 1; i <= 250; i++) {
                stores.resetCounts();
                bank.ok(new CreateAccount("Holder " + (1000 + i)));
                maxRead = Math.max(maxRead, stores.read(AccountCreationAggregate.ID));
            }
            assertThat(maxRead).isLessThanOrEqualTo(99);
            Snapshot snap = bank.jangle.stores().snapshots()
                    .get(AccountCreationAggregate.ID, AccountCreationAggregate.State.class, "any").orElseThrow();
            assertThat(snap.version()).isEqualTo(200);
            assertThat(new AccountCreationAggregate(AccountCreationAggregate.ID).snapshot())
                    .isEqualTo(new AccountCreationAggregate.State());
            assertThat(bank.send(new CreateAccount("Holder 251")).acceptedData(Object.class)).isEqualTo("000251");
        }
    }

    @Test
    @Tag("B5")
    @Tag("C2")
    @DisplayName("B5, C2: concurrent creations never produce the same id or skip one")
    void concurrentCreations() throws Exception {
        try (Bank bank = new Bank(b -> b.commandMaxAttempts(1000));
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                tasks.add(() -> bank.ok(new CreateAccount("Racer " + (1000 + n), BigDecimal.ONE, null))
                        .acceptedData(String.class));
            }
            Set<String> ids = new TreeSet<>();
            for (Future<String> f : pool.invokeAll(tasks)) ids.add(f.get());
            assertThat(ids).hasSize(200);
            assertThat(ids.iterator().next()).isEqualTo("000001");
            assertThat(((TreeSet<String>) ids).last()).isEqualTo("000200");
            assertThat(bank.jangle.stores().events().lastVersion(AccountCreationAggregate.ID)).isEqualTo(200);
            assertThat(bank.invariants().balances()).hasSize(200);
        }
    }
}
