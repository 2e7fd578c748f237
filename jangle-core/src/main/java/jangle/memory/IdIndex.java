package jangle.memory;

import java.util.UUID;

/**
 * Event id → feed index, as an open-addressing hash table over primitive arrays: no object per entry, so millions of
 * events cost the garbage collector nothing to trace and a lookup allocates nothing. The two halves of each id sit
 * side by side in one array, so a lookup that misses (every append checks a new id, ST3) touches one cache line.
 * A slot is empty when both halves are 0; such an id is stored in a separate flag. Not thread-safe: the store uses
 * it under its lock.
 */
final class IdIndex {
    private long[] keys = new long[2 << 10]; // msb, lsb pairs
    private int[] values = new int[1 << 10];
    private int size;
    private boolean hasZero;
    private int zeroValue;

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
        if (m == 0 && l == 0) return hasZero ? zeroValue : -1;
        long[] k = keys;
        int mask = values.length - 1;
        for (int i = hash(m, l) & mask; ; i = (i + 1) & mask) {
            long km = k[2 * i];
            long kl = k[2 * i + 1];
            if (km == m && kl == l) return values[i];
            if (km == 0 && kl == 0) return -1;
        }
    }

    boolean contains(UUID id) {
        return get(id) >= 0;
    }

    /** Adds an id that is not present. */
    void put(UUID id, int feedIndex) {
        long m = id.getMostSignificantBits();
        long l = id.getLeastSignificantBits();
        if (m == 0 && l == 0) {
            hasZero = true;
            zeroValue = feedIndex;
            return;
        }
        if ((size + 1) * 2 > values.length) grow();
        insert(keys, values, m, l, feedIndex);
        size++;
    }

    private static void insert(long[] k, int[] v, long m, long l, int value) {
        int mask = v.length - 1;
        int i = hash(m, l) & mask;
        while (k[2 * i] != 0 || k[2 * i + 1] != 0) i = (i + 1) & mask;
        k[2 * i] = m;
        k[2 * i + 1] = l;
        v[i] = value;
    }

    private void grow() {
        long[] oldK = keys;
        int[] oldV = values;
        int n = oldV.length * 2;
        long[] newK = new long[2 * n];
        int[] newV = new int[n];
        for (int i = 0; i < oldV.length; i++) {
            long m = oldK[2 * i];
            long l = oldK[2 * i + 1];
            if (m != 0 || l != 0) insert(newK, newV, m, l, oldV[i]);
        }
        keys = newK;
        values = newV;
    }
}
