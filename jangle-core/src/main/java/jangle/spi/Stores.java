package jangle.spi;

/** The three stores of one application, opened together by a {@link StoreProvider}. */
public record Stores(EventStore events, SnapshotStore snapshots, SagaStore sagas, AutoCloseable onClose) {
    public static Stores of(EventStore events, SnapshotStore snapshots, SagaStore sagas) {
        return new Stores(events, snapshots, sagas, () -> { });
    }
}
