package jangle.spi;

import java.util.Objects;

/**
 * One aggregate's snapshot (S8): its version, the global position of the event at that version, the fingerprint of
 * the code that wrote it (S3), and the state record. A store returns {@code state == null} when the stored
 * fingerprint differs from the requested one (the state cannot be trusted to decode).
 */
public record Snapshot(String aggregateId, long version, long position, String fingerprint, Record state) {
    public Snapshot {
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}
