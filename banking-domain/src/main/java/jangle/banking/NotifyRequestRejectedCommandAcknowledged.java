package jangle.banking;

/** Steps 1b, 2b, 3: the requester was told (accepted or refused, the step is over). */
public record NotifyRequestRejectedCommandAcknowledged() implements RequestSagaEvent {
}
