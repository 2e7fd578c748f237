package jangle.banking;

/**
 * Step 1: the funding account refused the request (missing, deleted, timed out, id already used).
 *
 * @param reason the rejection reason
 */
public record GetRequestApprovalCommandFailed(String reason) implements RequestSagaEvent {
    public GetRequestApprovalCommandFailed {
        Fields.required("reason", reason);
    }
}
