package jangle.internal;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The default event and command id supplier: random version-4 UUIDs, 122 random bits each, drawn from a per-thread
 * {@link SplittableRandom} seeded from {@link SecureRandom}. {@link UUID#randomUUID()} takes a lock-free but slow
 * path through SecureRandom for every id, which alone would cap in-memory command throughput; ids need to be unique,
 * not unguessable, and the store still refuses a duplicate event id. Not an API.
 */
public final class FastUuids implements Supplier<UUID> {
    private static final SecureRandom SEEDS = new SecureRandom();
    private final ThreadLocal<SplittableRandom> random = ThreadLocal.withInitial(() -> new SplittableRandom(SEEDS.nextLong()));

    @Override
    public UUID get() {
        SplittableRandom r = random.get();
        long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
