package jangle.banking;

/** Step 1: the funding account received the request. */
public record GetRequestApprovalCommandSucceeded() implements RequestSagaEvent {
}
