package jangle.banking;

import java.math.BigDecimal;
import java.time.Instant;

/** A request awaiting the account's approval until {@code timeoutAt}; {@code requesterAccountId} asked for it. */
public record PendingRequest(String transactionId, String requesterAccountId, BigDecimal amount, Instant timeoutAt) {
}
