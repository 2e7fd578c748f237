package jangle;

/**
 * A validator or reconstitutor threw: a programming error (A10). Nothing was committed; the cause is attached.
 */
public class AggregateException extends JangleException {
    private final String aggregateClass;
    private final String aggregateId;
    private final String method;
    private final String messageType;

    public AggregateException(String aggregateClass, String aggregateId, String method, String messageType,
                              Throwable cause) {
        super(aggregateClass + "." + method + " threw on " + messageType + " for aggregate '" + aggregateId + "': "
                + cause, cause);
        this.aggregateClass = aggregateClass;
        this.aggregateId = aggregateId;
        this.method = method;
        this.messageType = messageType;
    }

    public String aggregateClass() {
        return aggregateClass;
    }

    public String aggregateId() {
        return aggregateId;
    }

    public String method() {
        return method;
    }

    public String messageType() {
        return messageType;
    }
}
