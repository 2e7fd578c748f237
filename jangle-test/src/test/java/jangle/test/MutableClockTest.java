package jangle.test;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MutableClockTest {
    @Test
    @Tag("SG10")
    @DisplayName("SG10: the clock stands still until set or advanced, in UTC")
    void setAndAdvance() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(clock.instant()).isEqualTo(clock.instant());
        assertThat(clock.advance(Duration.ofMinutes(31))).isEqualTo(Instant.parse("2026-03-01T10:31:00Z"));
        assertThat(clock.millis()).isEqualTo(Instant.parse("2026-03-01T10:31:00Z").toEpochMilli());
        clock.set(Instant.parse("2026-01-01T00:00:00.000001Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00.000001Z"));
        clock.advance(Duration.ofSeconds(-1));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2025-12-31T23:59:59.000001Z"));
        assertThat(new MutableClock().instant()).isEqualTo(MutableClock.DEFAULT_START);
    }

    @Test
    @Tag("SG10")
    @DisplayName("SG10: a zone view shares the instant, so moving the clock moves the view")
    void zoneViewSharesTime() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        Clock zurich = clock.withZone(ZoneId.of("Europe/Zurich"));
        assertThat(zurich.getZone()).isEqualTo(ZoneId.of("Europe/Zurich"));
        clock.advance(Duration.ofHours(1));
        assertThat(zurich.instant()).isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
        assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
    }

    @Test
    @Tag("SG10")
    @DisplayName("SG10: advances from several threads are all kept (thread-safe)")
    void threadSafe() throws Exception {
        MutableClock clock = new MutableClock(Instant.EPOCH);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) clock.advance(Duration.ofMillis(1));
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(clock.instant()).isEqualTo(Instant.EPOCH.plusSeconds(40));
    }
}
