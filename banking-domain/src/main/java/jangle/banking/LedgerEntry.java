package jangle.banking;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One line of {@link AccountLedger}.
 *
 * @param amount          signed: negative when money left the account (withdrawal, transfer debit, request debit)
 * @param transactionType the type's description, for example {@code deposit}
 */
public record LedgerEntry(Instant initiatedAt, BigDecimal amount, String transactionType, String transactionId) {
}
