package jangle.kafka;

import jangle.ConfigurationException;
import jangle.jdbc.JdbcDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration by builder and environment, and the publisher's durable cursors (no broker needed). */
class KafkaSettingsAndCursorTest {
    @TempDir
    Path dir;

    @Test
    @Tag("KF10")
    @DisplayName("KF10: JANGLE_KAFKA_* configure the relay; the builder wins; defaults fill the rest")
    void environmentAndBuilder() {
        KafkaSettings s = KafkaSettings.builder()
                .environment(Map.of("JANGLE_KAFKA_BOOTSTRAP", "k1:9092,k2:9092", "JANGLE_KAFKA_TOPIC", "bank",
                        "JANGLE_KAFKA_GROUP", "g", "JANGLE_KAFKA_PARTITIONS", "12", "JANGLE_KAFKA_RETRY_BACKOFF", "2s",
                        "JANGLE_KAFKA_SESSION_TIMEOUT", "10s"))
                .group("from-builder").build();
        assertThat(s.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(s.topic()).isEqualTo("bank");
        assertThat(s.group()).isEqualTo("from-builder");
        assertThat(s.partitions()).isEqualTo(12);
        assertThat(s.retryBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.deadLetterTopic()).isEqualTo("bank.dlq");
        assertThat(s.deadLetterAttempts()).isEqualTo(5);
        assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(KafkaSettings.builder().bootstrapServers("k:9092").build().sessionTimeout())
                .as("Kafka's own default").isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    @Tag("KF10")
    @Tag("K1")
    @DisplayName("K1: Kafka's durations use the grammar of every setting (5m, 1h)")
    void durationsInMinutesAndHours() {
        KafkaSettings s = KafkaSettings.builder().environment(Map.of("JANGLE_KAFKA_BOOTSTRAP", "k:9092",
                "JANGLE_KAFKA_SESSION_TIMEOUT", "5m", "JANGLE_KAFKA_RETRY_BACKOFF", "1h")).build();
        assertThat(s.sessionTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.retryBackoff()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    @Tag("KF10")
    @DisplayName("KF10: a missing bootstrap and bad numbers are all reported at once, naming the variables")
    void badValues() {
        assertThatThrownBy(() -> KafkaSettings.fromEnvironment(Map.of("JANGLE_KAFKA_PARTITIONS", "zero",
                "JANGLE_KAFKA_POLL_INTERVAL", "soon", "JANGLE_KAFKA_SESSION_TIMEOUT", "500ms")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("JANGLE_KAFKA_SESSION_TIMEOUT must be at least 1s")
                .hasMessageContaining("JANGLE_KAFKA_BOOTSTRAP")
                .hasMessageContaining("JANGLE_KAFKA_PARTITIONS")
                .hasMessageContaining("JANGLE_KAFKA_POLL_INTERVAL");
    }

    @Test
    @Tag("KF11")
    @DisplayName("KF11: the file cursor survives reopening and never moves backwards")
    void fileCursor() {
        Path file = dir.resolve("cursor");
        PublisherCursor c = PublisherCursor.file(file);
        assertThat(c.read()).isZero();
        c.advance(42);
        c.advance(7);
        assertThat(PublisherCursor.file(file).read()).isEqualTo(42);
    }

    @Test
    @Tag("KF11")
    @DisplayName("KF11: the database cursor lives beside the store, per name, and never moves backwards")
    void jdbcCursor() {
        Path db = dir.resolve("store.db");
        try (JdbcDatabase database = JdbcDatabase.sqlite(db)) {
            PublisherCursor.Transactions tx = w -> database.inTransaction(c -> { w.run(c); return null; });
            PublisherCursor a = PublisherCursor.jdbc(tx, "a");
            a.advance(10);
            a.advance(3);
            PublisherCursor.jdbc(tx, "b").advance(99);
            assertThat(a.read()).isEqualTo(10);
        }
        try (JdbcDatabase database = JdbcDatabase.sqlite(db)) {
            assertThat(PublisherCursor.jdbc(w -> database.inTransaction(c -> { w.run(c); return null; }), "a").read())
                    .isEqualTo(10);
        }
    }
}
