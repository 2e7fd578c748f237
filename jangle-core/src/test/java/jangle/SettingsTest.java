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
        assertThat(s.dispatchWorkers()).isEqualTo(1);
        assertThat(s.failedEventsRetryInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.failedEventsMaxAge()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.deadLetterAttempts()).isEqualTo(5);
        assertThat(s.sagaRetryInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.commandMaxAttempts()).isEqualTo(10);
        assertThat(s.commandBackoffBase()).isEqualTo(Duration.ofMillis(2));
        assertThat(s.commandBackoffMax()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.aggregateCacheSize()).isEqualTo(10_000);
        assertThat(s.logFormat()).isEqualTo("text");
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
                "JANGLE_LOG_FORMAT", "xml", "JANGLE_SAGA_RETRY_INTERVAL", "-PT1S")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("JANGLE_BATCH_SIZE has invalid value 'x'")
                .hasMessageContaining("JANGLE_LOG_FORMAT has invalid value 'xml'")
                .hasMessageContaining("JANGLE_SAGA_RETRY_INTERVAL");
    }

    @Test
    @Tag("K3")
    @DisplayName("K3: the described configuration masks secrets")
    void masksSecrets() {
        Settings s = Settings.resolve(Map.of(), Map.of("JANGLE_DB_PASSWORD", "hunter2",
                "JANGLE_DB_URL", "jdbc:postgresql://h/db?user=u&password=hunter2"));
        assertThat(s.describe().toString()).doesNotContain("hunter2");
    }

    @Test
    @Tag("K3")
    @DisplayName("K3: Settings.toString never prints a secret, whether a password setting or in the URL")
    void toStringMasksSecrets() {
        Settings s = Settings.resolve(Map.of(), Map.of("JANGLE_DB_PASSWORD", "hunter2", "JANGLE_DB_USER", "bank",
                "JANGLE_DB_URL", "jdbc:postgresql://bank:inUserInfo@h:5432/db?user=u&sslpassword=inQuery&x=1"));
        assertThat(s.dbPassword()).isEqualTo("hunter2"); // still there for the store, just never printed
        assertThat(s.toString()).doesNotContain("hunter2", "inUserInfo", "inQuery")
                .contains("dbPassword=****", "jdbc:postgresql://bank:****@h:5432/db?user=u&sslpassword=****&x=1",
                        "dbUser=bank");
        assertThat(Settings.defaults().toString()).contains("dbPassword=,").doesNotContain("****");
    }
}
