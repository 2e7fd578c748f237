package jangle.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The saga store SPI (SG8). Thread-safe; every implementation passes the same contract suite. */
public interface SagaStore {
    Optional<SagaState> get(String sagaId);

    /**
     * Atomically stores the saga's fields ({@code state.version()} must be {@code expectedVersion + 1}) and appends
     * {@code newEvents} to its history. Raises {@link jangle.VersionConflictException} (saga id, expected version + 1)
     * when another commit won; then nothing is written.
     */
    void commit(SagaState state, long expectedVersion, List<SagaEventEntry> newEvents);

    /** Not complete, not timed out, {@code wakeAt <= now}, earliest {@code wakeAt} first, at most {@code limit}. */
    List<String> dueIds(Instant now, int limit);

    /** For operators: open sagas (and finished ones when asked), at most {@code limit}. */
    List<SagaState> list(boolean includeFinished, int limit);
}
