package jangle.banking;

import java.math.BigDecimal;

/**
 * One row of {@link AccountsList}.
 *
 * @param pendingRequestCount requests awaiting this account's approval and not yet expired
 */
public record AccountListItem(String accountId, String name, BigDecimal balance, int pendingRequestCount) {
}
