package jangle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    @DisplayName("§14: defaults as specified")
    void defaults() {
        Settings s = Settings.defaults();
        assertThat(s.batchSize()).isEqualTo(100);
        assertThat(s.dispatchHandoffSize()).isEqualTo(10_000);
        assertThat(s.processorSegments()).isEqualTo(4);
        assertThat(s.failedEventsRetryInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.failedEventsMaxAge()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.deadLetterAttempts()).isEqualTo(5);
        assertThat(s.sagaRetryInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.commandMaxAttempts()).isEqualTo(10);
        assertThat(s.commandBackoffBase()).isEqualTo(Duration.ofMillis(2));
        assertThat(s.commandBackoffMax()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.aggregateCacheSize()).isEqualTo(10_000);
    }

    @Test
    @DisplayName("§14: builder beats environment, which beats the default; read at build, not at class load")
    void precedence() {
        Settings s = Settings.resolve(Map.of("batchSize", "7"),
                Map.of("JANGLE_BATCH_SIZE", "9", "JANGLE_DEAD_LETTER_ATTEMPTS", "3"));
        assertThat(s.batchSize()).isEqualTo(7);
        assertThat(s.deadLetterAttempts()).isEqualTo(3);
        try (Jangle j = Bank.builder().environment(Map.of("JANGLE_AGGREGATE_CACHE_SIZE", "0")).build()) {
            assertThat(j.settings().aggregateCacheSize()).isZero();
        }
    }

    @Test
    @Tag("K2")
    @DisplayName("K2: every bad value is reported in one exception naming variable and value")
    void badValues() {
        assertThatThrownBy(() -> Settings.resolve(Map.of(), Map.of("JANGLE_BATCH_SIZE", "x",
                "JANGLE_PROCESSOR_SEGMENTS", "0", "JANGLE_SAGA_RETRY_INTERVAL", "-PT1S")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("JANGLE_BATCH_SIZE has invalid value 'x'")
                .hasMessageContaining("JANGLE_PROCESSOR_SEGMENTS has invalid value '0'")
                .hasMessageContaining("JANGLE_SAGA_RETRY_INTERVAL");
    }

    @Test
    @Tag("K3")
    @DisplayName("K3: the core holds no database or log setting, so neither describe() nor toString() can show a secret")
    void noDatabaseOrLogSettings() {
        Map<String, String> env = Map.of("JANGLE_DB_PASSWORD", "hunter2", "JANGLE_DB_USER", "bank",
                "JANGLE_DB_URL", "jdbc:postgresql://bank:inUserInfo@h:5432/db?password=inQuery",
                "JANGLE_DB_PATH", "/tmp/bank.db", "JANGLE_LOG_FORMAT", "xml");
        Settings s = Settings.resolve(Map.of(), env); // not the core's variables: a bad log format is not its problem
        assertThat(Settings.ENVIRONMENT_VARIABLES.values())
                .noneMatch(v -> v.startsWith("JANGLE_DB_") || v.startsWith("JANGLE_LOG_"));
        assertThat(s.describe()).containsOnlyKeys(Settings.ENVIRONMENT_VARIABLES.keySet());
        assertThat(s.toString()).doesNotContain("hunter2", "inUserInfo", "inQuery", "bank.db", "xml")
                .contains("batchSize=100");
        assertThatThrownBy(() -> Jangle.builder().setting("dbPassword", "hunter2").build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("unknown setting 'dbPassword'")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    @Tag("H10")
    @Tag("K2")
    @DisplayName("H10 K2: the holder's linger and the contention window are settings with their bounds; bad values are named")
    void commandSharingTimes() {
        Settings d = Settings.defaults();
        assertThat(d.commandSharingLinger()).isEqualTo(Duration.ofNanos(200_000));
        assertThat(d.commandSharingWindow()).isEqualTo(Duration.ofMillis(20));
        Settings s = Settings.resolve(Map.of("commandSharingLinger", "0ms"),
                Map.of("JANGLE_COMMAND_SHARING_LINGER", "5ms", "JANGLE_COMMAND_SHARING_WINDOW", "100ms"));
        assertThat(s.commandSharingLinger()).isZero();
        assertThat(s.commandSharingWindow()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.describe()).containsEntry("commandSharingLinger", "PT0S");
        assertThatThrownBy(() -> Settings.resolve(Map.of(), Map.of("JANGLE_COMMAND_SHARING_LINGER", "11ms",
                "JANGLE_COMMAND_SHARING_WINDOW", "11s")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(2))
                .hasMessageContaining("JANGLE_COMMAND_SHARING_LINGER has invalid value '11ms': must be at most 10ms")
                .hasMessageContaining("JANGLE_COMMAND_SHARING_WINDOW has invalid value '11s': must be at most 10s");
        assertThatThrownBy(() -> Bank.builder().commandSharingLinger(null).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("commandSharingLinger");
        try (Jangle j = Bank.builder().commandSharingLinger(Duration.ofMillis(1))
                .commandSharingWindow(Duration.ofMillis(40)).build()) {
            assertThat(j.settings().commandSharingLinger()).isEqualTo(Duration.ofMillis(1));
            assertThat(j.settings().commandSharingWindow()).isEqualTo(Duration.ofMillis(40));
        }
    }
}
