package jangle.jdbc;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * How Java values are bound and read per dialect, in one place.
 *
 * <ul>
 *   <li>{@link Instant}: PostgreSQL {@code timestamptz}; SQLite fixed-width ISO-8601 UTC text with six fraction digits
 *   and {@code Z} ({@code 2026-03-01T10:15:30.123456Z}), so text comparison is time comparison (SG8, bug #20).
 *   Both keep microseconds: a nanosecond part is truncated. Years must be 0000–9999 on SQLite (fixed width).</li>
 *   <li>{@link UUID}: PostgreSQL {@code uuid}; SQLite canonical text.</li>
 *   <li>{@link BigDecimal}: PostgreSQL {@code numeric}; SQLite the plain decimal text (columns meant for money should
 *   be declared {@code TEXT} on SQLite so the scale survives; never a float, J3).</li>
 *   <li>{@link Boolean}: PostgreSQL {@code boolean}; SQLite 0/1.</li>
 * </ul>
 */
final class Values {
    static final DateTimeFormatter SQLITE_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Values() {
    }

    static void bind(PreparedStatement ps, int index, SqlDialect dialect, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setNull(index, Types.NULL);
            case String s -> ps.setString(index, s);
            case Long l -> ps.setLong(index, l);
            case Integer i -> ps.setInt(index, i);
            case Short s -> ps.setInt(index, s);
            case Instant t -> bindInstant(ps, index, dialect, t);
            case UUID u -> bindUuid(ps, index, dialect, u);
            case BigDecimal d -> {
                if (dialect == SqlDialect.POSTGRESQL) ps.setBigDecimal(index, d);
                else ps.setString(index, d.scale() >= 0 ? d.toPlainString() : d.toString());
            }
            case Boolean b -> {
                if (dialect == SqlDialect.POSTGRESQL) ps.setBoolean(index, b);
                else ps.setInt(index, b ? 1 : 0);
            }
            case Enum<?> e -> ps.setString(index, e.name());
            default -> throw new IllegalArgumentException("cannot bind a " + value.getClass().getName()
                    + "; use String, Integer, Long, BigDecimal, Boolean, Instant, UUID, an enum or null");
        }
    }

    static void bindInstant(PreparedStatement ps, int index, SqlDialect dialect, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(index, dialect == SqlDialect.POSTGRESQL ? Types.TIMESTAMP_WITH_TIMEZONE : Types.VARCHAR);
        } else if (dialect == SqlDialect.POSTGRESQL) {
            ps.setObject(index, OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
        } else {
            ps.setString(index, sqliteTime(t));
        }
    }

    static void bindUuid(PreparedStatement ps, int index, SqlDialect dialect, UUID u) throws SQLException {
        if (dialect == SqlDialect.POSTGRESQL) ps.setObject(index, u, Types.OTHER);
        else if (u == null) ps.setNull(index, Types.VARCHAR);
        else ps.setString(index, u.toString());
    }

    /** Fixed-width text of an instant for SQLite. */
    static String sqliteTime(Instant t) {
        if (t.isBefore(MIN) || t.isAfter(MAX)) {
            throw new IllegalArgumentException("instant " + t + " is outside years 0000-9999, which SQLite text "
                    + "times cannot order correctly");
        }
        return SQLITE_TIME.format(t.truncatedTo(ChronoUnit.MICROS));
    }

    static Instant instant(ResultSet rs, int column, SqlDialect dialect) throws SQLException {
        if (dialect == SqlDialect.POSTGRESQL) {
            OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        }
        String text = rs.getString(column);
        return text == null ? null : parseSqliteTime(text);
    }

    /**
     * The instant of {@link #sqliteTime}'s text ({@code yyyy-MM-ddTHH:mm:ss.ffffffZ}) read field by field: checkpoints
     * and leases are read on every processor batch, and {@link Instant#parse} allocated more there than the rows did.
     * Any other text goes to {@link Instant#parse}, which accepts or refuses it as before.
     */
    static Instant parseSqliteTime(String text) {
        if (text.length() == 27 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.' && text.charAt(26) == 'Z'
                && digitsAt(text, 0, 4) && digitsAt(text, 5, 2) && digitsAt(text, 8, 2) && digitsAt(text, 11, 2)
                && digitsAt(text, 14, 2) && digitsAt(text, 17, 2) && digitsAt(text, 20, 6)) {
            int hour = number(text, 11, 2);
            int minute = number(text, 14, 2);
            int second = number(text, 17, 2);
            if (hour < 24 && minute < 60 && second < 60) {
                // LocalDate.of checks month and day
                long days = java.time.LocalDate.of(number(text, 0, 4), number(text, 5, 2), number(text, 8, 2))
                        .toEpochDay();
                return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second,
                        number(text, 20, 6) * 1_000L);
            }
        }
        return Instant.parse(text);
    }

    /** Whether {@code text[from, from + count)} is all decimal digits. */
    private static boolean digitsAt(String text, int from, int count) {
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** The decimal number in {@code text[from, from + count)}, which {@link #digitsAt} accepted. */
    private static int number(String text, int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) n = n * 10 + (text.charAt(i) - '0');
        return n;
    }

    static UUID uuid(ResultSet rs, int column, SqlDialect dialect) throws SQLException {
        if (dialect == SqlDialect.POSTGRESQL) return rs.getObject(column, UUID.class);
        String text = rs.getString(column);
        return text == null ? null : UUID.fromString(text);
    }
}
