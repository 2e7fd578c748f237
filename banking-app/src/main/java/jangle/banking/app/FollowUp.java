package jangle.banking.app;

import jangle.ConsistencyTimeoutException;
import jangle.Jangle;
import jangle.spi.Delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What happens after a command has committed: waiting for its chain, reading its outcome, reading a view. Once
 * {@code send} has returned an accepted response the command is recorded for good, so none of this may turn it into
 * a failure (issue 16 item 2, issue 18 item 3): a user told "error" retries and, for money, pays twice. Each step here
 * catches its fault and keeps it as a warning that the caller shows <em>beside</em> the committed outcome with its
 * transaction id. Shared by the command line, the terminal and any other front end. One instance per command; not
 * thread-safe.
 */
public final class FollowUp {
    private final String transactionId;
    private final List<String> warnings = new ArrayList<>();
    private boolean failingWork;

    /** @param transactionId the committed command's transaction id, or null when it has none */
    public FollowUp(String transactionId) {
        this.transactionId = transactionId;
    }

    /** The committed command's transaction id (null when it has none). */
    public String transactionId() {
        return transactionId;
    }

    /**
     * Waits, at most {@code max}, until every delivery of the command's correlation id has run (CA3). A plain time-out
     * is no fault (the work continues in the background; the caller says "in progress" or that the views are behind).
     * A dead letter, or a wait that fails (the ledger unreachable), becomes a warning.
     *
     * @return true when the chain settled within {@code max}
     */
    public boolean settle(Jangle jangle, UUID correlationId, Duration max) {
        try {
            jangle.awaitSettled(correlationId, max);
            return true;
        } catch (ConsistencyTimeoutException e) {
            if (e.getMessage() != null && e.getMessage().contains("dead letter")) {
                warn("part of its follow-up work failed and was set aside (" + e.getMessage()
                        + "); 'events dead' lists it and 'events retry' runs it again");
            } else {
                List<Delivery> failing = failing(jangle, correlationId);
                failingWork |= !failing.isEmpty();
                failing.forEach(d -> warn("its follow-up work fails and is being retried (" + d.handler() + ": "
                        + d.lastError() + "); 'events pending' shows it"));
            }
            return false;
        } catch (RuntimeException e) {
            warn("waiting for its follow-up work failed: " + describe(e));
            return false;
        }
    }

    /**
     * The pending deliveries of this correlation id that have failed at least once (bounded scan). A failure to look
     * is itself a warning, never an exception.
     */
    private List<Delivery> failing(Jangle jangle, UUID correlationId) {
        return read("its pending follow-up work", () -> jangle.operations().pending(null, 10_000).stream()
                .filter(d -> correlationId.equals(d.correlationId()) && d.lastError() != null).toList())
                .orElse(List.of());
    }

    /**
     * Runs one read after the commit. Its failure becomes a warning ("reading {@code what} failed: …") and the answer
     * is empty, so the caller prints what it knows without it.
     */
    public <T> Optional<T> read(String what, Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (RuntimeException e) {
            warn("reading " + what + " failed: " + describe(e));
            return Optional.empty();
        }
    }

    /** True when {@link #settle} found deliveries of the command that fail and are being retried. */
    public boolean failingWork() {
        return failingWork;
    }

    /** Adds a warning in the caller's words. */
    public void warn(String warning) {
        warnings.add(warning);
    }

    /** The warnings so far, in order. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Each warning as one line: {@code Warning: committed (transaction T), but <warning>}. */
    public List<String> warningLines() {
        String committed = transactionId == null ? "committed" : "committed (transaction " + transactionId + ")";
        return warnings.stream().map(w -> "Warning: " + committed + ", but " + w).toList();
    }

    /** A message and its causes, each cause once, so the root cause is named. */
    public static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) sb.append(": ").append(c.getMessage());
        }
        return sb.toString();
    }
}
