package jangle.banking;

/** Step 2d: the debit was given back to the funding account. */
public record RollbackRequestCommandAcknowledged() implements RequestSagaEvent {
}
