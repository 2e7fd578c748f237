package jangle.banking.app.views;

/**
 * The fixed codes and ranks of the {@code transaction_states} lookup table (banking.md §8). A state column is
 * written with its rank as the version (V3): ranks only grow along one operation's life, and two states of equal
 * rank never both happen to one operation, so the highest rank is the final truth whatever the delivery order.
 */
public enum TransactionState {
    REQUEST_SENT(1, "request_sent", 1),
    REQUEST_RECEIVED(2, "request_received", 2),
    REQUEST_REJECTED(3, "request_rejected", 3),
    REQUEST_ACCEPTED(4, "request_accepted", 3),
    REJECTION_RECEIVED(5, "rejection_received", 4),
    REQUEST_DEBITED(6, "request_debited", 4),
    REQUEST_CREDITED(7, "request_credited", 5),
    REQUEST_DEBIT_ROLLBACK(8, "request_debit_rollback", 5),
    TRANSFER_DEBIT(9, "transfer_debit", 1),
    TRANSFER_CREDIT(10, "transfer_credit", 2),
    TRANSFER_DEBIT_ROLLBACK(11, "transfer_debit_rollback", 2);

    private final int code;
    private final String description;
    private final int rank;

    TransactionState(int code, String description, int rank) {
        this.code = code;
        this.description = description;
        this.rank = rank;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public int rank() {
        return rank;
    }

    public static TransactionState ofCode(int code) {
        for (TransactionState s : values()) if (s.code == code) return s;
        throw new IllegalArgumentException("unknown transaction state code " + code);
    }
}
