package jangle;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one duration grammar every setting uses (K1). */
class DurationsTest {

    @Tag("K1")
    @ParameterizedTest(name = "K1: ''{0}'' = {1} ms")
    @CsvSource(delimiter = '|', value = {
            "500ms|500", "0ms|0", "10s|10000", "5m|300000", "1h|3600000", "7|7000", "0|0",
            "5M|300000", "1H|3600000", "250MS|250", "' 5m '|300000",
            "PT10S|10000", "PT1M30S|90000", "P1D|86400000"})
    void accepted(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Tag("K1")
    @ParameterizedTest(name = "K1: ''{0}'' is refused")
    @ValueSource(strings = {"", " ", "soon", "5x", "1.5s", "5 m", "-5s", "-PT5S", "5mm", "m", "s5", "1d", "PT"})
    void refused(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text.strip() + "'");
    }

    @Tag("K1")
    @ParameterizedTest(name = "K1: ''{0}'' does not fit a Duration")
    @ValueSource(strings = {"99999999999999999999s", "9223372036854775807h"})
    void tooLarge(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }
}
