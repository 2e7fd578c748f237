package jangle.test;

import jangle.spi.Delivery;
import jangle.spi.DeliveryKey;
import jangle.spi.DeliveryStatus;
import jangle.spi.DispatchLedger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * A {@link DispatchLedger} that passes every call to another one; subclass it and override the call a test breaks
 * (a completion mark that fails, a wrong due query). Return it from {@link ForwardingEventStore#ledger()}.
 */
public class ForwardingDispatchLedger implements DispatchLedger {
    /** The ledger every call goes to. */
    protected final DispatchLedger delegate;

    /** @param delegate the ledger every call goes to */
    public ForwardingDispatchLedger(DispatchLedger delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public List<Delivery> due(Instant now, Duration maxAge, int limit) {
        return delegate.due(now, maxAge, limit);
    }

    @Override
    public List<Delivery> claim(String owner, Instant now, Duration maxAge, long maxPosition, boolean includeOwn,
                                int limit) {
        return delegate.claim(owner, now, maxAge, maxPosition, includeOwn, limit);
    }

    @Override
    public void markDone(Collection<DeliveryKey> deliveries) {
        delegate.markDone(deliveries);
    }

    @Override
    public DeliveryStatus recordFailure(DeliveryKey delivery, String error, Instant now, int deadLetterAttempts) {
        return delegate.recordFailure(delivery, error, now, deadLetterAttempts);
    }

    @Override
    public List<Delivery> list(DeliveryStatus status, String handler, int limit) {
        return delegate.list(status, handler, limit);
    }

    @Override
    public int retry(UUID eventId, String handler) {
        return delegate.retry(eventId, handler);
    }

    @Override
    public int retryAll(String handler) {
        return delegate.retryAll(handler);
    }

    @Override
    public boolean skip(DeliveryKey delivery, String reason) {
        return delegate.skip(delivery, reason);
    }

    @Override
    public OptionalLong lowestPosition(String handler, DeliveryStatus status) {
        return delegate.lowestPosition(handler, status);
    }

    @Override
    public long count(UUID correlationId, DeliveryStatus status) {
        return delegate.count(correlationId, status);
    }

    @Override
    public List<String> handlersWithWork() {
        return delegate.handlersWithWork();
    }

    @Override
    public List<jangle.spi.HandlerBacklog> backlog() {
        return delegate.backlog();
    }
}
