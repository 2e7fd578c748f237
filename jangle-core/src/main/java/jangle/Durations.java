package jangle;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of every Jangle setting (K1): core {@link Settings}, the JDBC time-outs, the Kafka
 * settings and the bank's command line all read durations here, so {@code 5m} and {@code 1h} work everywhere.
 *
 * <p>Grammar, surrounding blanks ignored, units case-insensitive:
 * <ul>
 *   <li>{@code N} followed by {@code ms}, {@code s}, {@code m} or {@code h}: milliseconds, seconds, minutes, hours;</li>
 *   <li>{@code N} alone: seconds;</li>
 *   <li>an ISO-8601 duration ({@code PT10S}, {@code PT1M30S}, {@code P1D}).</li>
 * </ul>
 * {@code N} is a whole number of decimal digits. A negative duration is refused, like anything else.
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)?");
    static final String FORMS = "use 500ms, 10s, 5m, 1h, PT10S or a number of seconds";

    private Durations() {
    }

    /**
     * The duration {@code text} names.
     *
     * @throws IllegalArgumentException saying which forms are accepted, when {@code text} is none of them, is
     *                                  negative, or does not fit a {@link Duration}
     */
    public static Duration parse(String text) {
        if (text == null) throw new IllegalArgumentException("no duration given (" + FORMS + ")");
        String t = text.strip();
        Matcher m = SHORT.matcher(t.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            Duration d = Duration.parse(t);
            if (d.isNegative()) throw new IllegalArgumentException("'" + t + "' is negative (" + FORMS + ")");
            return d;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + t + "' is not a duration (" + FORMS + ")");
        } catch (NumberFormatException e) { // digits beyond a long
            throw new IllegalArgumentException("'" + t + "' is too large for a duration");
        }
    }
}
