package jangle.test;

import jangle.spi.Checkpoint;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;
import jangle.spi.Park;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@link Checkpoints} that pass every call to others; subclass it and override the call a test breaks (a claim that
 * ignores leases, an advance that is not fenced). Return it from {@link ForwardingEventStore#checkpoints()}.
 */
public class ForwardingCheckpoints implements Checkpoints {
    /** The checkpoints every call goes to. */
    protected final Checkpoints delegate;

    /** @param delegate the checkpoints every call goes to */
    public ForwardingCheckpoints(Checkpoints delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public List<Checkpoint> register(String processor, int segments, Start start) {
        return delegate.register(processor, segments, start);
    }

    @Override
    public List<Checkpoint> all() {
        return delegate.all();
    }

    @Override
    public List<Checkpoint> claim(String processor, String owner, Instant now, Duration lease, int target) {
        return delegate.claim(processor, owner, now, lease, target);
    }

    @Override
    public List<String> heartbeat(String node, java.time.Instant now, java.time.Duration lease) {
        return delegate.heartbeat(node, now, lease);
    }

    @Override
    public void releaseAll(String owner) {
        delegate.releaseAll(owner);
    }

    @Override
    public void commit(List<Completion.Advance> advances, List<Park> parks, Work work) {
        delegate.commit(advances, parks, work);
    }

    @Override
    public int reset(String processor, long position) {
        return delegate.reset(processor, position);
    }
}
