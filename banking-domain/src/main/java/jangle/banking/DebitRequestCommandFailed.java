package jangle.banking;

/**
 * Step 2: the debit was refused (for example insufficient funds or timed out); no money moved.
 *
 * @param reason the rejection reason
 */
public record DebitRequestCommandFailed(String reason) implements RequestSagaEvent {
    public DebitRequestCommandFailed {
        Fields.required("reason", reason);
    }
}
