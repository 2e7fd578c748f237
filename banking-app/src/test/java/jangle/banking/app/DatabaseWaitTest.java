package jangle.banking.app;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 17.1: the start-up wait's back-off, its messages, and what it does not wait for. */
class DatabaseWaitTest {
    @Test
    @DisplayName("issue 17.1: an outage is retried with a doubling back-off capped at max, each attempt said")
    void backOffIsCappedAndSaid() throws InterruptedException {
        List<Duration> slept = new ArrayList<>();
        List<String> said = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        var wait = new DatabaseWait(Duration.ofSeconds(1), Duration.ofSeconds(5), said::add, slept::add);
        String opened = wait.open("db", () -> {
            if (calls.incrementAndGet() <= 5) {
                throw new IllegalStateException("pool", new SQLException("Connection refused", "08001"));
            }
            return "open";
        });
        assertThat(opened).isEqualTo("open");
        assertThat(slept).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(said).hasSize(6);
        assertThat(said.get(0)).isEqualTo("The database is not reachable (db): Connection refused. Retrying in 1 s "
                + "(attempt 1); Ctrl-C to stop.");
        assertThat(said.get(5)).isEqualTo("The database is back (db); starting.");
    }

    @Test
    @DisplayName("issue 17.1: recovery in progress (57P03) and a refused socket are outages; bad credentials are not")
    void onlyOutagesAreWaitedFor() throws InterruptedException {
        List<Duration> slept = new ArrayList<>();
        var wait = new DatabaseWait(Duration.ofMillis(10), Duration.ofMillis(10), s -> { }, slept::add);
        AtomicInteger calls = new AtomicInteger();
        assertThat(wait.open("db", () -> switch (calls.incrementAndGet()) {
            case 1 -> throw new IllegalStateException(new SQLException("the database system is starting up", "57P03"));
            case 2 -> throw new IllegalStateException(new ConnectException("Connection refused"));
            default -> "open";
        })).isEqualTo("open");
        assertThat(slept).hasSize(2);
        assertThatThrownBy(() -> wait.open("db", () -> {
            throw new IllegalStateException(new SQLException("password authentication failed", "28P01"));
        })).hasRootCauseMessage("password authentication failed");
        assertThat(slept).hasSize(2);
    }
}
