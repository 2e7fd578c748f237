package jangle.jdbc;

import jangle.spi.EventStore;
import jangle.spi.NewEvent;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link KillTestCases}: appends events in a loop from two threads and
 * prints {@code ACK <aggregateId> <version> <eventId>} for every append that returned. It runs until it is killed.
 */
public final class KillChild {
    private KillChild() {
    }

    public static void main(String[] args) throws Exception {
        String target = args[0];
        JdbcDatabase db = target.startsWith("jdbc:") ? JdbcDatabase.open(target, "postgres", "postgres")
                : JdbcDatabase.sqlite(Path.of(target));
        EventStore store = TestEvents.open(db, 100).events();
        PrintStream out = System.out;
        out.println("READY");
        out.flush();
        Thread[] writers = new Thread[2];
        for (int t = 0; t < writers.length; t++) {
            int thread = t;
            writers[t] = new Thread(() -> {
                for (long version = 1; ; version++) {
                    for (int a = 0; a < 5; a++) {
                        String id = "k-" + thread + "-" + a;
                        NewEvent e = TestEvents.noted(id, version);
                        store.append(List.of(e));
                        synchronized (out) {
                            out.println("ACK " + id + " " + version + " " + e.eventId());
                            out.flush();
                        }
                    }
                }
            });
            writers[t].start();
        }
        for (Thread w : writers) w.join();
    }
}
