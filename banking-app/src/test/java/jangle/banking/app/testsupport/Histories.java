package jangle.banking.app.testsupport;

import jangle.EventRecord;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Random histories generated once per test JVM and shared by the SQLite and PostgreSQL suites (they are immutable). */
public final class Histories {
    private static final Map<String, List<EventRecord<?>>> CACHE = new ConcurrentHashMap<>();

    private Histories() {
    }

    public static List<EventRecord<?>> get(long seed, int commands) {
        return CACHE.computeIfAbsent(seed + "/" + commands,
                k -> List.copyOf(RandomBankHistory.generate(seed, commands)));
    }
}
