package jangle.memory;

import java.util.UUID;

/**
 * Event id → feed index, as an open-addressing hash table over primitive arrays: no object per entry, so millions of
 * events cost the garbage collector nothing to trace and a lookup allocates nothing. Not thread-safe: the store uses
 * it under its lock.
 */
final class IdIndex {
    private long[] msb = new long[1 << 10];
    private long[] lsb = new long[1 << 10];
    private int[] slot = new int[1 << 10]; // feed index + 1; 0 = empty
    private int size;

    private static int hash(long m, long l) {
        long h = m * 0x9E3779B97F4A7C15L ^ l;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    /** The feed index of this id, or −1. */
    int get(UUID id) {
        long m = id.getMostSignificantBits();
        long l = id.getLeastSignificantBits();
        int mask = slot.length - 1;
        for (int i = hash(m, l) & mask; ; i = (i + 1) & mask) {
            int s = slot[i];
            if (s == 0) return -1;
            if (msb[i] == m && lsb[i] == l) return s - 1;
        }
    }

    boolean contains(UUID id) {
        return get(id) >= 0;
    }

    /** Adds an id that is not present. */
    void put(UUID id, int feedIndex) {
        if ((size + 1) * 2 > slot.length) grow();
        insert(id.getMostSignificantBits(), id.getLeastSignificantBits(), feedIndex + 1);
        size++;
    }

    private void insert(long m, long l, int value) {
        int mask = slot.length - 1;
        int i = hash(m, l) & mask;
        while (slot[i] != 0) i = (i + 1) & mask;
        msb[i] = m;
        lsb[i] = l;
        slot[i] = value;
    }

    private void grow() {
        long[] oldM = msb;
        long[] oldL = lsb;
        int[] oldS = slot;
        int n = oldS.length * 2;
        msb = new long[n];
        lsb = new long[n];
        slot = new int[n];
        for (int i = 0; i < oldS.length; i++) {
            if (oldS[i] != 0) insert(oldM[i], oldL[i], oldS[i]);
        }
    }
}
