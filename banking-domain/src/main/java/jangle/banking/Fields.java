package jangle.banking;

import jangle.InvalidMessageException;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.UUID;

/**
 * The shared field rules of banking.md §2, used by every command, event and query constructor and by the terminal,
 * so a value is judged, and a broken rule worded, the same way everywhere. Each method checks its rules in the order
 * of §2 and throws {@link InvalidMessageException} with the exact message of the first rule broken; on success it
 * returns the value to store (normalised where §2 says so).
 */
public final class Fields {
    /** The largest amount any single command may move (§2). */
    public static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000.00");
    private static final int NAME_MIN = 5;
    private static final int NAME_MAX = 15;
    private static final int TX_MAX = 50;
    static final String SAME_ACCOUNT_SEND = "Cannot send funds to the same account.";
    static final String SAME_ACCOUNT_REQUEST = "Cannot request funds from the same account.";

    private Fields() {
    }

    /**
     * An account number: 6 ASCII digits ({@code 000042}), or 7 to 18 ASCII digits without a leading zero
     * ({@code 1000000}). Anything else, including other 6-character strings, is refused (banking.md §12 bug 10).
     */
    public static String accountId(String field, String value) {
        required(field, value);
        if (!isAccountId(value)) {
            throw new InvalidMessageException(field, field + " must be an account number: 6 digits such as 000042, "
                    + "or more digits without a leading zero");
        }
        return value;
    }

    /** True when {@code value} is a well-formed account number (see {@link #accountId}). */
    public static boolean isAccountId(String value) {
        if (value == null) return false;
        int n = value.length();
        if (n < 6 || n > 18) return false;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return n == 6 || value.charAt(0) != '0';
    }

    /**
     * An account holder's name: NFC-normalised and stripped of leading and trailing white space (the result is what
     * is stored), free of control characters and line or paragraph separators, 5 to 15 code points long.
     */
    public static String name(String value) {
        if (value == null) throw new InvalidMessageException("name", "name is required");
        String name = Normalizer.normalize(value, Normalizer.Form.NFC).strip();
        boolean control = name.codePoints().anyMatch(cp -> {
            int type = Character.getType(cp);
            return type == Character.CONTROL || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR;
        });
        if (control) throw new InvalidMessageException("name", "name must not contain control characters");
        int length = name.codePointCount(0, name.length());
        if (length < NAME_MIN || length > NAME_MAX) {
            throw new InvalidMessageException("name", "name must be 5 to 15 characters long");
        }
        return name;
    }

    /**
     * A money amount: positive, at most 2 decimal places once trailing zeros are removed, at most 1,000,000.00;
     * returned with scale exactly 2 ({@code 5} becomes {@code 5.00}). Amounts are never built from {@code double}.
     */
    public static BigDecimal amount(String field, BigDecimal value) {
        required(field, value);
        if (value.signum() <= 0) throw new InvalidMessageException(field, field + " must be greater than 0");
        if (value.stripTrailingZeros().scale() > 2) {
            throw new InvalidMessageException(field, field + " must have at most 2 decimal places");
        }
        if (value.compareTo(MAX_AMOUNT) > 0) {
            throw new InvalidMessageException(field, field + " must not exceed 1000000.00");
        }
        return value.setScale(2);
    }

    /** A transaction id: 1 to 50 characters from {@code A-Z a-z 0-9 . _ : -}. */
    public static String transactionId(String value) {
        if (value == null) throw new InvalidMessageException("transactionId", "transactionId is required");
        if (!isTransactionId(value)) {
            throw new InvalidMessageException("transactionId",
                    "transactionId must be 1 to 50 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'");
        }
        return value;
    }

    /** True when {@code value} is a well-formed transaction id (see {@link #transactionId}). */
    public static boolean isTransactionId(String value) {
        if (value == null) return false;
        int n = value.length();
        if (n < 1 || n > TX_MAX) return false;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    /**
     * The transaction id of a user money command: the given one, checked, or a new random UUID when none is given.
     * Generated in the constructor so that a revalidation after a conflict decides on the same id (framework A11).
     */
    public static String transactionIdOrNew(String value) {
        return value == null ? UUID.randomUUID().toString() : transactionId(value);
    }

    /** Any required value (for example a time): not null. */
    public static <T> T required(String field, T value) {
        if (value == null) throw new InvalidMessageException(field, field + " is required");
        return value;
    }

    /** Two account ids of one operation must differ; {@code message} is the rule's exact text (banking.md §3). */
    static void differ(String field, String a, String b, String message) {
        if (a.equals(b)) throw new InvalidMessageException(field, message);
    }
}
