package jangle.jdbc;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SQLite's fixed-width time text is read back field by field to exactly the instant it was written from. */
class SqliteTimeTest {

    @Test
    @DisplayName("every instant of years 0000-9999 reads back as written, as Instant.parse reads it")
    void roundTrips() {
        SplittableRandom random = new SplittableRandom(7);
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(min, max + 1), random.nextInt(1_000_000) * 1_000L);
            String text = Values.sqliteTime(t);
            assertThat(Values.parseSqliteTime(text)).isEqualTo(t).isEqualTo(Instant.parse(text));
        }
        for (String edge : new String[]{"0000-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z",
                "2024-02-29T12:00:00.000001Z", "1970-01-01T00:00:00.000000Z"}) {
            assertThat(Values.parseSqliteTime(edge)).isEqualTo(Instant.parse(edge));
        }
    }

    @Test
    @DisplayName("text that is not a valid time is refused as Instant.parse refuses it; other valid forms still parse")
    void refusesWhatParseRefuses() {
        for (String bad : new String[]{"2026-13-01T00:00:00.000000Z", "2026-02-30T00:00:00.000000Z",
                "2026-01-01T24:00:01.000000Z", "2026-01-01T00:61:00.000000Z", "2026-01-0xT00:00:00.000000Z",
                "not a time at all, 27 chars", ""}) {
            assertThatThrownBy(() -> Values.parseSqliteTime(bad)).as(bad).isInstanceOf(DateTimeException.class);
        }
        for (String other : new String[]{"2026-12-07T06:00:00Z", "2026-01-01T24:00:00.000000Z",
                "2026-06-30T23:59:60.000000Z"}) { // a short form; the end of a day; a leap second
            assertThat(Values.parseSqliteTime(other)).isEqualTo(Instant.parse(other));
        }
    }
}
