package jangle.json;

import jangle.Event;
import jangle.TypeRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundTripCheckTest {
    sealed interface Ev extends Event permits Paid, Stamped, Noted {
    }

    record Paid(String id, BigDecimal amount) implements Ev {
    }

    record Stamped(String id, Instant at) implements Ev {
    }

    record Noted(String id, List<String> notes) implements Ev {
    }

    record Stray(String id) implements Event {
    }

    private final TypeRegistry types = TypeRegistry.of(List.of(Ev.class), List.of());

    @Test
    @Tag("J8")
    @DisplayName("J8: one example per registered type that round-trips passes")
    void passes() {
        assertThatCode(() -> RoundTripCheck.assertRoundTrips(types, List.of(
                new Paid("p", new BigDecimal("1.10")),
                new Stamped("s", Instant.parse("2026-01-01T00:00:00.123456Z")),
                new Noted("n", List.of("a", "b"))))).doesNotThrowAnyException();
    }

    @Test
    @Tag("J8")
    @DisplayName("J8: a missing example, a lossy value and an unregistered example are all listed")
    void listsEveryFailure() {
        assertThatThrownBy(() -> RoundTripCheck.assertRoundTrips(types, List.of(
                new Paid("p", new BigDecimal("1.10")),
                new Stamped("s", Instant.parse("2026-01-01T00:00:00.123456789Z")), // nanos are not kept (J4)
                new Stray("x"))))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Noted: no example given")
                .hasMessageContaining("Stamped: read back as")
                .hasMessageContaining("Stray: example of a type that is not registered")
                .hasMessageNotContaining("Paid:");
    }
}
