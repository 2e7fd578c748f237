package jangle.banking;

import jangle.Event;
import jangle.TypeRegistry;
import jangle.json.JsonCodec;
import jangle.json.RoundTripCheck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;

/** J8 and §12 bug 1: every banking event and the account snapshot survive JSON unchanged, amounts exact. */
class SerializationTest {
    private static final Instant T = Instant.parse("2026-03-01T09:30:00.123456Z");
    private static final TypeRegistry TYPES = TypeRegistry.of(List.of(BankEvent.class, RequestSagaEvent.class),
            List.of());

    static List<Event> examples() {
        return List.of(
                new AccountIdProvisioned("000001"),
                new AccountCreated("000001", "Zoë O'Neil"),
                new AccountNameChanged("000001", "山田太郎さん"),
                new AccountDeleted("1000000"),
                new FundsDeposited("000001", m("50.50"), m("50.50"), "d-1"),
                new FundsWithdrawn("000002", m("150.00"), m("-50.00"), "w-1"),
                new DebtForgiven("000002", m("50.00"), "f-1"),
                new TransferDebited("000001", "999999", m("20.00"), m("30.50"), "t-1"),
                new TransferCredited("000002", "000001", m("19.00"), m("19.00"), "t-2"),
                new TransferDebitRolledBack("000001", m("20.00"), m("50.50"), "t-1"),
                new RequestCreated("000001", "000002", m("15.43"), "r-1", T),
                new RequestReceived("000001", "000002", m("15.43"), "r-1", T),
                new RequestApproved("000002", "000001", "r-1"),
                new RequestRejected("000002", "000001", "r-2"),
                new RequestRejectionReceived("000001", "r-2"),
                new RequestDebited("000002", "000001", m("15.43"), m("-11.86"), "r-1"),
                new RequestDebitRolledBack("000002", "000001", m("15.43"), m("3.57"), "r-1"),
                new RequestCredited("000001", m("15.43"), m("46.93"), "r-1"),
                new GetRequestApprovalCommandSucceeded(),
                new GetRequestApprovalCommandFailed("Account does not exist"),
                new NotifyRequestRejectedCommandAcknowledged(),
                new DebitRequestCommandSucceeded(),
                new DebitRequestCommandFailed("Insufficient funds"),
                new CreditRequestCommandSucceeded(),
                new CreditRequestCommandFailed("Account deleted"),
                new RollbackRequestCommandAcknowledged());
    }

    @Test
    @Tag("J8")
    @DisplayName("J8, §12 bug 1: one example of every banking and saga event type round-trips through JSON")
    void everyEventRoundTrips() {
        RoundTripCheck.assertRoundTrips(TYPES, examples());
    }

    @Test
    @Tag("J2")
    @Tag("J3")
    @DisplayName("J2, J3, §12 bug 1: stable type names; amounts are JSON strings that keep their scale")
    void amountsAreExactStrings() {
        assertThat(TYPES.byType(FundsDeposited.class).name()).isEqualTo("FundsDeposited");
        assertThat(TYPES.byType(RollbackRequestCommandAcknowledged.class).name())
                .isEqualTo("RollbackRequestCommandAcknowledged");
        JsonCodec codec = new JsonCodec(TYPES);
        String json = codec.writeEvent(new FundsDeposited("000001", m("100.00"), m("100.00"), "d"));
        assertThat(json).contains("\"amount\":\"100.00\"").contains("\"balance\":\"100.00\"");
        FundsDeposited back = (FundsDeposited) codec.readEvent(UUID.randomUUID(), "FundsDeposited", 1, json);
        assertThat(back.amount()).isInstanceOf(java.math.BigDecimal.class).isEqualTo(m("100.00"));
        // the amount can be used at once, as the durable terminal did on its first money command
        assertThat(back.amount().add(m("0.01"))).isEqualTo(m("100.01"));
    }

    @Test
    @Tag("S7")
    @DisplayName("§6.1, S7: the account snapshot (maps, bounded memory in order) round-trips through JSON")
    void snapshotRoundTrips() {
        Spec<AccountAggregate> s = Spec.account("000001").givenAccount("10.00").given(
                new TransferDebited("000001", "000002", m("5.00"), m("5.00"), "t1"),
                new TransferCredited("000001", "000003", m("7.00"), m("12.00"), "t2"),
                new RequestCreated("000001", "000002", m("3.00"), "r1", T),
                new RequestReceived("000003", "000001", m("2.00"), "r3", T),
                new RequestApproved("000001", "000003", "r3"),
                new FundsWithdrawn("000001", m("1.00"), m("11.00"), "w"));
        AccountAggregate.State state = s.aggregate().snapshot();
        JsonCodec codec = new JsonCodec(TYPES);
        AccountAggregate.State back = codec.readState(AccountAggregate.State.class, codec.writeState(state));
        assertThat(back).isEqualTo(state);
        assertThat(back.recentTransactions()).isEqualTo(state.recentTransactions());
        AccountCreationAggregate.State empty = new AccountCreationAggregate.State();
        assertThat(codec.readState(AccountCreationAggregate.State.class, codec.writeState(empty))).isEqualTo(empty);
    }
}
