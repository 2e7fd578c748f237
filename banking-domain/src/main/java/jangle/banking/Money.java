package jangle.banking;

import java.math.BigDecimal;

/**
 * Exact conversion between scale-2 amounts and integer cents, the form read models store money in (banking.md §8).
 * Never floating point (banking.md §12 bug 7).
 */
public final class Money {
    /** The lowest balance an account may reach (banking.md §6.3, "floor"). */
    public static final BigDecimal FLOOR = new BigDecimal("-100.00");
    /** 0.00, the starting balance. */
    public static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2);

    private Money() {
    }

    /**
     * The amount in cents, exactly. Throws {@link IllegalArgumentException} when the amount has a non-zero digit
     * beyond the second decimal place ({@code 0.001}) or does not fit a {@code long}; {@code 10.500} is 1050.
     */
    public static long toCents(BigDecimal amount) {
        if (amount == null) throw new IllegalArgumentException("amount is required");
        try {
            return amount.movePointRight(2).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount " + amount.toPlainString()
                    + " is not a whole number of cents that fits a long", e);
        }
    }

    /** The amount of {@code cents} cents with scale exactly 2 ({@code 1050} is {@code 10.50}). */
    public static BigDecimal fromCents(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }
}
