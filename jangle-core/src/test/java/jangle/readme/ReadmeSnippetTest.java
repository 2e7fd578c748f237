package jangle.readme;

import jangle.Aggregate;
import jangle.Command;
import jangle.CommandResponse;
import jangle.Event;
import jangle.InvalidMessageException;
import jangle.Jangle;
import jangle.Query;
import jangle.ReconstituteState;
import jangle.ValidateCommand;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The README's "Jangle in one minute" code, compiled and run here; the build's conformance check fails when the
 * README text differs from the regions below. In its own package, so it can use only the public API.
 */
class ReadmeSnippetTest {
    // @start region="types"
    sealed interface AccountCommand extends Command permits Deposit { }
    record Deposit(String accountId, BigDecimal amount) implements AccountCommand {
        Deposit {                                                        // valid on construction (M2)
            if (amount.signum() <= 0) throw new InvalidMessageException("amount", "amount must be positive");
        }
        public String aggregateId() { return accountId; }
    }
    sealed interface AccountEvent extends Event permits Deposited { }
    record Deposited(String accountId, BigDecimal amount, BigDecimal balance) implements AccountEvent { }
    record Balance(String accountId) implements Query<BigDecimal> { }

    static final class Account extends Aggregate {
        private BigDecimal balance = BigDecimal.ZERO;
        Account(String id) { super(id); }

        @ValidateCommand void deposit(Deposit c) {                       // decides, never assigns fields (A7)
            post(new Deposited(id(), c.amount(), balance.add(c.amount())));
        }
        @ReconstituteState void on(Deposited e) { balance = e.balance(); }
    }
    // @end region="types"

    // @start region="wiring"
    static BigDecimal depositAndRead() {
        Map<String, BigDecimal> balances = new ConcurrentHashMap<>();   // a read model (tables in real life)
        try (Jangle jangle = Jangle.builder()                            // the one composition root (CR1)
                .commands(AccountCommand.class).events(AccountEvent.class)
                .aggregate(Account.class, Account::new)                  // in-memory stores unless .stores(...)
                .projection("balances", Deposited.class,
                        (record, ctx) -> balances.put(record.aggregateId(), record.event().balance()))
                .query(Balance.class, q -> balances.getOrDefault(q.accountId(), BigDecimal.ZERO), "balances")
                .build()) {                                              // fails listing every missing route
            jangle.start();
            return switch (jangle.send(new Deposit("000001", new BigDecimal("5.00")))) { // sealed: both cases
                case CommandResponse.Accepted ok ->
                        jangle.query(new Balance("000001"), ok.token(), Duration.ofSeconds(5)); // read-your-writes (CA1)
                case CommandResponse.Rejected no -> throw new IllegalStateException(no.reason()); // a value (§18)
            };
        }
    }
    // @end region="wiring"

    @Test
    @DisplayName("README: the one-minute example compiles, accepts a deposit and reads it back through its projection")
    void oneMinute() {
        assertThat(depositAndRead()).isEqualByComparingTo("5.00");
    }

    @Test
    @DisplayName("README: the example's command refuses a non-positive amount on construction")
    void validOnConstruction() {
        assertThatThrownBy(() -> new Deposit("000001", BigDecimal.ZERO))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("amount");
    }
}
