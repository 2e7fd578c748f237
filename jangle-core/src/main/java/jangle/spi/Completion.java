package jangle.spi;

import java.util.Objects;

/**
 * What an append also settles for the handler whose command it commits (D15): the command that ends a processor's work
 * for an event commits together with that processor's progress past it, so a redelivery can never repeat a decided
 * step. Written in the append's transaction; when it cannot be written the append writes nothing.
 */
public sealed interface Completion {
    /**
     * Moves the checkpoint of {@code processor}'s {@code segment} to at least {@code position} (never backwards), but
     * only while {@code owner} holds that segment's lease: otherwise the append fails with
     * {@link jangle.LeaseLostException} and writes nothing (the segment's new holder decides the step instead).
     */
    record Advance(String processor, int segment, long position, String owner) implements Completion {
        public Advance {
            Objects.requireNonNull(processor, "processor");
            Objects.requireNonNull(owner, "owner");
            if (segment < 0) throw new IllegalArgumentException("segment must be >= 0, got " + segment);
            if (position < 1) throw new IllegalArgumentException("position must be >= 1, got " + position);
        }
    }

    /** Removes the parked delivery {@code parked} (a retried failure, D12); an unknown one is not an error. */
    record Resolve(DeliveryKey parked) implements Completion {
        public Resolve {
            Objects.requireNonNull(parked, "parked");
        }
    }
}
