package jangle.test;

import jangle.Event;
import jangle.EventType;
import jangle.TypeRegistry;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The small event family, snapshot states and registry that the store contract suites write and read back. The
 * members cover every field kind a payload may hold (M6, J3, J4): text (with non-ASCII and quotes), exact decimals
 * whose scale must survive ({@code "10.50"}), instants with microseconds, UUIDs, lists and nested records. Type names
 * are explicit (J2) and one type has schema version 2, so stores are seen to keep both.
 */
public final class ContractEvents {
    private ContractEvents() {
    }

    /** The family registered by {@link #registry()}. */
    public sealed interface ContractEvent extends Event permits Opened, Deposited, Noted {
    }

    /** A nested value record (not an event). */
    public record Address(String street, String city, List<String> lines) {
        public Address {
            lines = List.copyOf(lines);
        }
    }

    /** Every field kind at once. */
    @EventType(name = "contract.Opened")
    public record Opened(String name, BigDecimal limit, Instant openedAt, UUID ownerId, List<String> tags,
                         Address address, List<Address> previous) implements ContractEvent {
        public Opened {
            tags = List.copyOf(tags);
            previous = List.copyOf(previous);
        }
    }

    /** A money movement: decimals of several scales and signs must come back exactly. */
    @EventType(name = "contract.Deposited", schemaVersion = 2)
    public record Deposited(BigDecimal amount, BigDecimal balance, String reference) implements ContractEvent {
    }

    /** A small filler event for long streams and races. */
    @EventType(name = "contract.Noted")
    public record Noted(String text, long n) implements ContractEvent {
    }

    /** A snapshot state with exact decimals, an instant with microseconds and a list (S8). */
    public record AccountState(String name, BigDecimal balance, Instant lastChange, List<String> tags) {
        public AccountState {
            tags = List.copyOf(tags);
        }
    }

    /** A snapshot state with no components: still a valid snapshot (S7). */
    public record EmptyState() {
    }

    /** {@code TypeRegistry.of(List.of(ContractEvent.class), List.of())}: the registry every contract store gets. */
    public static TypeRegistry registry() {
        return TypeRegistry.of(List.of(ContractEvent.class), List.of());
    }

    /** A fully populated {@link Opened}, with scale-2 decimals, microsecond time and nested records. */
    public static Opened opened(String name) {
        return new Opened(name, new BigDecimal("10.50"), Instant.parse("2026-03-01T10:15:30.123456Z"),
                UUID.fromString("7d444840-9dc0-11d1-b245-5ffdce74fad2"), List.of("gold", "é \"quoted\" ✓"),
                new Address("1 Long Street", "Zürich", List.of("floor 2", "")),
                List.of(new Address("Old Road 9", "Basel", List.of())));
    }
}
