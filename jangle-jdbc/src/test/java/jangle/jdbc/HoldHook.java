package jangle.jdbc;

import jangle.EventRecord;
import jangle.spi.EventStore;
import jangle.spi.NewEvent;
import jangle.test.EventStoreContract.HeldAppend;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The G4 hook for the contract suite: an {@link AppendListener} that, once armed with an append's first event id,
 * blocks that append inside its transaction after its positions were taken, until the test lets it commit.
 */
final class HoldHook implements AppendListener, AutoCloseable {
    private static final long WAIT_SECONDS = 60; // deadlock guard only
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final CountDownLatch taken = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile UUID target;

    @Override
    public void positionsTaken(List<EventRecord<?>> records) {
        if (target == null || !records.get(0).eventId().equals(target)) return;
        taken.countDown();
        try {
            release.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    HeldAppend hold(EventStore store, List<NewEvent> events) {
        target = events.get(0).eventId();
        Future<?> append = executor.submit(() -> store.append(events));
        return new HeldAppend() {
            @Override
            public void awaitPositionsTaken() throws Exception {
                while (!taken.await(100, TimeUnit.MILLISECONDS)) {
                    if (append.isDone()) {
                        append.get(); // surfaces the append's failure
                        throw new IllegalStateException("the held append finished without pausing");
                    }
                }
            }

            @Override
            public void commit() throws Exception {
                release.countDown();
                append.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public void close() {
        release.countDown();
        executor.shutdownNow();
    }
}
