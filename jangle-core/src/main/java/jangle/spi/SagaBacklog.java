package jangle.spi;

/**
 * Sagas by state at one instant: {@code active} are neither complete nor timed out; {@code due} are active with a
 * {@code wakeAt} that has passed; {@code overdue} are due since before a given instant (the saga daemon should have
 * taken them by then).
 */
public record SagaBacklog(long active, long due, long overdue) {
}
