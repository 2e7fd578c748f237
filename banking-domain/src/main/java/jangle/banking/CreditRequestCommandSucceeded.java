package jangle.banking;

/** Step 2c: the requester was credited; the request is done. */
public record CreditRequestCommandSucceeded() implements RequestSagaEvent {
}
