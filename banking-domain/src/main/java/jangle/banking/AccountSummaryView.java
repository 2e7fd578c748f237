package jangle.banking;

import java.math.BigDecimal;
import java.util.List;

/** The answer to {@link AccountSummary}; {@code pendingRequests} ordered by timeout, then transaction id. */
public record AccountSummaryView(String accountId, String name, BigDecimal balance,
                                 List<PendingRequest> pendingRequests) {
    public AccountSummaryView {
        pendingRequests = List.copyOf(pendingRequests);
    }
}
