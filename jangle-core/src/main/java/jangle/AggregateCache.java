package jangle;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The in-process LRU cache of rebuilt aggregates (H7, H8). An entry is taken out while one command uses it and put
 * back afterwards, so two commands never share an instance; a concurrent command for the same id simply rebuilds
 * from the store. The cache is never the source of truth: a decision taken on an entry is confirmed by the store,
 * either by the append's version check or by reading the events after the entry's version (H7, {@link
 * Settings.CacheCheck}).
 */
final class AggregateCache {
    /** A cached aggregate and the global position of its latest event (for consistency tokens). */
    record Entry(Aggregate aggregate, long position) {
    }

    private final int capacity;
    private final LinkedHashMap<String, Entry> entries;

    AggregateCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, AggregateCache.Entry> eldest) {
                return size() > AggregateCache.this.capacity;
            }
        };
    }

    boolean enabled() {
        return capacity > 0;
    }

    /** Removes and returns the entry, or null. */
    Entry take(String aggregateId) {
        if (capacity == 0) return null;
        synchronized (entries) {
            return entries.remove(aggregateId);
        }
    }

    void put(String aggregateId, Aggregate aggregate, long position) {
        if (capacity == 0) return;
        synchronized (entries) {
            entries.put(aggregateId, new Entry(aggregate, position));
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
