package jangle.memory;

import jangle.EventRecord;

import java.util.Arrays;

/**
 * An append-only array of records that one writer (holding the store's lock) appends to and any number of readers
 * read without locking. The writer stores the element first and publishes the new size last (volatile), so a reader
 * that reads the size and then the array sees every element below that size. Growing copies the array once per
 * doubling, so appending is amortised O(1) and never copies the whole history per commit (§19 bug 3).
 */
final class RecordLog {
    private volatile EventRecord<?>[] items = new EventRecord<?>[8];
    private volatile int size;

    /** Writer only (under the store lock). */
    void add(EventRecord<?> record) {
        EventRecord<?>[] a = items;
        int n = size;
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
            items = a;
        }
        a[n] = record;
        size = n + 1;
    }

    int size() {
        return size;
    }

    /** The array to read {@code [0, size)} from; read {@link #size()} first. */
    EventRecord<?>[] array() {
        return items;
    }
}
