package jangle.bench;

import jangle.Event;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Copies of two banking events for {@link SerializationBenchmark}: the same components, in the same order, and the
 * same kind of checks in the compact constructor as {@code jangle.banking.FundsDeposited} and
 * {@code jangle.banking.TransferDebited} ({@code Fields.accountId}, {@code Fields.required},
 * {@code Fields.transactionId}). The benchmarks module does not depend on {@code banking-domain}, so the records are
 * repeated here; their JSON is the same, and the constructor runs on every decode, as it does for the real ones.
 */
public final class BankEvents {
    private BankEvents() {
    }

    public sealed interface Evt extends Event permits FundsDeposited, TransferDebited {
    }

    /** As {@code jangle.banking.FundsDeposited}: money was put into the account. */
    public record FundsDeposited(String accountId, BigDecimal amount, BigDecimal balance, String transactionId)
            implements Evt {
        public FundsDeposited {
            checkAccountId(accountId);
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(balance, "balance");
            checkTransactionId(transactionId);
        }
    }

    /** As {@code jangle.banking.TransferDebited}: on the funding account, a transfer's money left it. */
    public record TransferDebited(String fundingAccountId, String fundedAccountId, BigDecimal amount,
                                  BigDecimal balance, String transactionId) implements Evt {
        public TransferDebited {
            checkAccountId(fundingAccountId);
            checkAccountId(fundedAccountId);
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(balance, "balance");
            checkTransactionId(transactionId);
        }
    }

    /** The check of {@code Fields.isAccountId}: 6 digits, or 7 to 18 digits without a leading zero. */
    private static void checkAccountId(String value) {
        Objects.requireNonNull(value, "accountId");
        int n = value.length();
        boolean ok = n >= 6 && n <= 18 && (n == 6 || value.charAt(0) != '0');
        for (int i = 0; ok && i < n; i++) ok = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        if (!ok) throw new IllegalArgumentException("not an account number: " + value);
    }

    /** The check of {@code Fields.isTransactionId}: 1 to 50 characters of {@code A-Z a-z 0-9 . _ : -}. */
    private static void checkTransactionId(String value) {
        Objects.requireNonNull(value, "transactionId");
        int n = value.length();
        boolean ok = n >= 1 && n <= 50;
        for (int i = 0; ok && i < n; i++) {
            char c = value.charAt(i);
            ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '-';
        }
        if (!ok) throw new IllegalArgumentException("not a transaction id: " + value);
    }
}
