package jangle.banking.app.views;

/**
 * The fixed codes of the {@code transaction_types} lookup table (banking.md §8). The code is what the
 * {@code transactions} table stores; the description is what queries return. {@link #debit} tells the ledger
 * which amounts are shown negative (§9).
 */
public enum TransactionType {
    DEPOSIT(1, "deposit", false),
    WITHDRAWAL(2, "withdrawal", true),
    TRANSFER_DEBIT(3, "transfer_debit", true),
    TRANSFER_DEBIT_ROLLBACK(4, "transfer_debit_rollback", false),
    TRANSFER_CREDIT(5, "transfer_credit", false),
    REQUEST_DEBIT(6, "request_debit", true),
    REQUEST_DEBIT_ROLLBACK(7, "request_debit_rollback", false),
    REQUEST_CREDIT(8, "request_credit", false),
    DEBT_FORGIVENESS(9, "debt_forgiveness", false);

    private final int code;
    private final String description;
    private final boolean debit;

    TransactionType(int code, String description, boolean debit) {
        this.code = code;
        this.description = description;
        this.debit = debit;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** True when the money left the account: the ledger shows the amount negative. */
    public boolean debit() {
        return debit;
    }

    /** The type with this code; an unknown code means the table holds data this version cannot read. */
    public static TransactionType ofCode(int code) {
        for (TransactionType t : values()) if (t.code == code) return t;
        throw new IllegalArgumentException("unknown transaction type code " + code);
    }
}
