package jangle;

/** A saga step without a failure event was rejected (§9); the saga catches it and schedules a retry. */
public class SagaStepRejectedException extends JangleException {
    private final String sagaId;
    private final String commandType;
    private final String reason;

    public SagaStepRejectedException(String sagaId, String commandType, String reason) {
        super("Saga '" + sagaId + "': " + commandType + " was rejected: " + reason);
        this.sagaId = sagaId;
        this.commandType = commandType;
        this.reason = reason;
    }

    public String sagaId() {
        return sagaId;
    }

    public String commandType() {
        return commandType;
    }

    public String reason() {
        return reason;
    }
}
