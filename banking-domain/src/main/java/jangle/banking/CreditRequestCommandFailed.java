package jangle.banking;

/**
 * Step 2c: the credit was refused (the requester was deleted); the debit must be rolled back.
 *
 * @param reason the rejection reason
 */
public record CreditRequestCommandFailed(String reason) implements RequestSagaEvent {
    public CreditRequestCommandFailed {
        Fields.required("reason", reason);
    }
}
