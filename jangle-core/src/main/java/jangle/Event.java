package jangle;

/**
 * A fact that happened: immutable, granular, never edited after commit (M3, M4).
 *
 * <p>Payloads carry no id, version or timestamp; those live in the {@link EventRecord} envelope. Each application
 * declares a {@code sealed} family extending this interface; its permitted records are everything that can happen.
 */
public interface Event {
}
