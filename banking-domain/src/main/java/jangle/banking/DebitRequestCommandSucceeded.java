package jangle.banking;

/** Step 2: the funding account was debited; from now on the saga must finish (SG6). */
public record DebitRequestCommandSucceeded() implements RequestSagaEvent {
}
