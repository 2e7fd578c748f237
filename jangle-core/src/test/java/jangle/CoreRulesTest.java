package jangle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rules of framework.md §1, §3 and §5 that the other core tests do not name. */
class CoreRulesTest {

    @Test
    @Tag("A5")
    @DisplayName("A5: validators and reconstitutors are bound once to generated invokers, never called by reflection")
    void boundInvokers() {
        List<String> problems = new ArrayList<>();
        AggregateBinding<Bank.Account> binding = AggregateBinding.bind(Bank.Account.class, problems);
        assertThat(problems).isEmpty();
        Object validator = binding.validator(Bank.Deposit.class).invoker();
        Object applier = binding.reconstitutors().get(Bank.Deposited.class).invoker();
        // LambdaMetafactory produces hidden classes implementing the invoker shapes directly
        assertThat(validator.getClass().isHidden()).isTrue();
        assertThat(applier.getClass().isHidden()).isTrue();
        // and the same instances are used for every message: bound per class, not per call
        assertThat(AggregateBinding.bind(Bank.Account.class, problems).validator(Bank.Deposit.class).invoker())
                .isNotSameAs(validator); // a new binding per registration...
        assertThat(binding.validator(Bank.Deposit.class).invoker()).isSameAs(validator); // ...cached within one
    }

    @Test
    @Tag("A12")
    @DisplayName("A12: the registered factory receives the aggregate id, once per rebuild")
    void factoryReceivesId() {
        List<String> ids = new ArrayList<>();
        try (Jangle j = Jangle.builder().environment(Map.of()).commands(Bank.Cmd.class).events(Bank.Evt.class)
                .aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, id -> {
                    ids.add(id);
                    return new Bank.Account(id);
                }).aggregateCacheSize(0).build()) {
            String a = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            j.send(new Bank.Deposit(a, BigDecimal.ONE));
            j.send(new Bank.Deposit(a, BigDecimal.ONE));
            assertThat(ids).containsExactly(a, a);
        }
    }

    @Test
    @Tag("H7")
    @Tag("H8")
    @DisplayName("H7, H8: the aggregate cache spares the factory; size 0 turns it off; a rejection without posted "
            + "events keeps the entry")
    void aggregateCache() {
        AtomicInteger built = new AtomicInteger();
        try (Jangle j = Jangle.builder().environment(Map.of()).commands(Bank.Cmd.class).events(Bank.Evt.class)
                .aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, id -> {
                    built.incrementAndGet();
                    return new Bank.Account(id);
                }).build()) {
            String a = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            for (int i = 0; i < 5; i++) j.send(new Bank.Deposit(a, BigDecimal.ONE));
            assertThat(j.send(new Bank.Withdraw(a, new BigDecimal("500"))).isAccepted()).isFalse();
            j.send(new Bank.Deposit(a, BigDecimal.ONE));
            assertThat(built.get()).isEqualTo(1);
            // a conflict-free external append is still seen: the cache re-reads events after its version (H7)
            j.stores().events().append(List.of(new jangle.spi.NewEvent(java.util.UUID.randomUUID(), a, 8,
                    "Deposited", 1, java.time.Instant.now(), Metadata.of(java.util.UUID.randomUUID()),
                    new Bank.Deposited(new BigDecimal("1000")))));
            assertThat(j.send(new Bank.Withdraw(a, new BigDecimal("1100"))).isAccepted()).isTrue();
            assertThat(built.get()).isEqualTo(1);
        }
    }

    @Test
    @Tag("H6")
    @DisplayName("H6: commands are counted by outcome")
    void countsByOutcome() {
        try (Jangle j = Bank.builder().build()) {
            String a = j.send(new Bank.Open("Ana")).acceptedData(String.class);
            j.send(new Bank.Withdraw(a, new BigDecimal("500")));
            j.send(new Bank.Deposit(a, BigDecimal.ONE));
            CommandCounts counts = j.operations().commandCounts();
            assertThat(counts.accepted()).isEqualTo(2);
            assertThat(counts.rejected()).isEqualTo(1);
            assertThat(counts.exhausted()).isZero();
        }
    }

    sealed interface Ask<R> extends Query<R> permits Balance {
    }

    record Balance(String accountId) implements Ask<BigDecimal> {
        Balance {
            if (accountId == null || accountId.isBlank()) {
                throw new InvalidMessageException("accountId", "accountId is required");
            }
        }
    }

    @Test
    @Tag("M5")
    @Tag("Q1")
    @Tag("Q2")
    @DisplayName("Q1, M5, Q2: a query returns exactly its result type; an unregistered query is MissingHandlerException")
    void typedQueries() {
        try (Jangle j = Bank.builder().query(Balance.class, q -> new BigDecimal("12.50")).build()) {
            BigDecimal balance = j.query(new Balance("000001")); // no cast: R is BigDecimal
            assertThat(balance).isEqualByComparingTo("12.50");
            record Unknown() implements Query<String> {
            }
            assertThatThrownBy(() -> j.query(new Unknown())).isInstanceOfSatisfying(MissingHandlerException.class,
                    e -> assertThat(e.kind()).isEqualTo(MissingHandlerException.Kind.QUERY_HANDLER));
        }
        assertThatThrownBy(() -> new Balance(" ")).isInstanceOf(InvalidMessageException.class)
                .hasMessage("accountId is required");
    }

    static final class NotARecord implements Event {
    }

    @Test
    @Tag("M1")
    @Tag("M3")
    @DisplayName("M3, M1: event types must be records in a sealed family; anything else is a configuration problem")
    void eventsAreRecords() {
        assertThatThrownBy(() -> TypeRegistry.of(List.of(NotARecord.class), List.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must be a record");
    }

    @Test
    @Tag("M2")
    @Tag("M6")
    @DisplayName("M2, M6: metadata and send options copy their maps; a message that exists is valid")
    void immutableMessages() {
        var entries = new java.util.HashMap<String, String>();
        entries.put("userId", "u1");
        SendOptions options = SendOptions.NONE.withMetadata(entries);
        entries.put("userId", "changed");
        assertThat(options.metadata()).containsEntry("userId", "u1");
        assertThatThrownBy(() -> options.metadata().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new Bank.Deposit("000001", new BigDecimal("-1")))
                .isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("amount"));
    }

    @Test
    @Tag("A11")
    @DisplayName("A11: validators read time from the injected clock")
    void validatorClock() {
        record When(String aggregateId) implements Command {
        }
        final class Timed extends Aggregate {
            Timed(String id) {
                super(id);
            }

            @ValidateCommand
            CommandResponse when(When w) {
                return CommandResponse.accepted(clock().instant());
            }
        }
        java.time.Instant fixed = java.time.Instant.parse("2030-01-01T00:00:00Z");
        try (Jangle j = Jangle.builder().environment(Map.of()).clock(Clock.fixed(fixed, java.time.ZoneOffset.UTC))
                .aggregate(Timed.class, Timed::new).build()) {
            assertThat(j.send(new When("t")).acceptedData(Object.class)).isEqualTo(fixed);
        }
    }
}
