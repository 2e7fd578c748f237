package jangle.banking;

import jangle.ConfigurationException;
import jangle.Jangle;
import jangle.TypeRegistry;
import jangle.spi.Snapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link BankingDomain}: the registration, and the account aggregate through real stores with snapshots. */
class BankingDomainTest {

    @Test
    @Tag("CR1")
    @Tag("CR2")
    @Tag("M1")
    @DisplayName("CR1, CR2, M1: the domain registers cleanly; every command has one aggregate, every event a name")
    void registers() {
        try (Bank bank = new Bank()) {
            TypeRegistry types = bank.jangle.types();
            for (Class<?> c : BankEvent.class.getPermittedSubclasses()) {
                assertThat(types.byType(c.asSubclass(jangle.Event.class)).name()).isEqualTo(c.getSimpleName());
            }
            for (Class<?> c : RequestSagaEvent.class.getPermittedSubclasses()) {
                assertThat(types.byType(c.asSubclass(jangle.Event.class)).name()).isEqualTo(c.getSimpleName());
            }
            assertThat(BankCommand.class.getPermittedSubclasses()).hasSize(17);
            assertThat(BankEvent.class.getPermittedSubclasses()).hasSize(18);
            assertThat(RequestSagaEvent.class.getPermittedSubclasses()).hasSize(8);
            assertThat(BankQuery.class.getPermittedSubclasses()).hasSize(4);
        }
    }

    @Test
    @Tag("Q2")
    @DisplayName("Q2: the query family needs the application's handlers (the domain registers none)")
    void queriesAreTheApplications() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<? extends jangle.Query<?>> family = (Class) BankQuery.class;
        assertThatThrownBy(() -> BankingDomain.register(Jangle.builder().environment(Map.of())).queries(family)
                .build()).isInstanceOf(ConfigurationException.class).hasMessageContaining("AccountsList");
    }

    @Test
    @Tag("S1")
    @Tag("S2")
    @DisplayName("§6.1, S1, S2: an account with hundreds of events is rebuilt from its snapshot to the same decisions")
    void accountSnapshots() {
        TestStores stores = new TestStores();
        try (Bank bank = new Bank(b -> b.stores(stores).aggregateCacheSize(0))) {
            String a = bank.open("Alice", null);
            String b = bank.open("Bobby", null);
            bank.ok(new Transfer(a, b, m("1"), "kept-forever"));
            for (int i = 0; i < 1200; i++) bank.ok(new DepositFunds(a, m("1"), "d" + i));
            bank.settle();
            Snapshot snap = bank.jangle.stores().snapshots().get(a, AccountAggregate.State.class, "?").orElseThrow();
            assertThat(snap.version()).isEqualTo(1200);
            stores.resetCounts();
            // decisions after the snapshot: the bounded memory forgot d0..d199 but not the transfer
            assertThat(bank.send(new DepositFunds(a, m("1"), "d0")).isAccepted()).isTrue();
            assertThat(bank.send(new DepositFunds(a, m("2"), "d500")).rejectionReason())
                    .isEqualTo("Transaction id 'd500' was already used");
            assertThat(bank.send(new Transfer(a, b, m("1"), "kept-forever")).isAccepted()).isTrue();
            assertThat(bank.send(new Transfer(a, b, m("2"), "kept-forever")).rejectionReason())
                    .isEqualTo("Transaction id 'kept-forever' was already used");
            assertThat(stores.read(a)).isLessThan(100); // read from the snapshot, not 1,200 events
            assertThat(bank.stream(a).getLast()).isEqualTo(new FundsDeposited(a, m("1.00"), m("1200.00"), "d0"));
            assertThat(bank.invariants().holds()).isTrue();
        }
    }
}
