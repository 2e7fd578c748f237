package jangle.banking.app;

import jangle.banking.app.web.Role;
import jangle.banking.app.web.WebUser;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the application keeps its data (cli.md §1, framework.md §14, T8). */
class BankingConfigTest {
    @Test
    @Tag("T8")
    @DisplayName("T8: with nothing configured the bank lives in ./jangle-bank.db")
    void defaultFile() {
        BankingConfig c = BankingConfig.fromEnvironment(Map.of());
        assertThat(c.memory()).isFalse();
        assertThat(c.usesUrl()).isFalse();
        assertThat(c.effectiveDbPath()).isEqualTo(Path.of("./jangle-bank.db"));
        assertThat(c.clock()).isNotNull();
    }

    @Test
    @Tag("K3")
    @DisplayName("K3: neither the bank's configuration nor a web user prints a secret in toString")
    void noSecretInToString() {
        BankingConfig c = BankingConfig.fromEnvironment(Map.of("JANGLE_DB_URL",
                "jdbc:postgresql://bank:inUserInfo@db/bank?password=inQuery", "JANGLE_DB_PASSWORD", "hunter2"));
        assertThat(c.toString()).doesNotContain("inUserInfo", "inQuery", "hunter2")
                .contains("jdbc:postgresql://bank:****@db/bank?password=****", "password=****");
        WebUser user = new WebUser("ada", Role.OPERATOR, "csrf-token-value");
        assertThat(user.toString()).doesNotContain("csrf-token-value").contains("ada", "csrf=****");
        assertThat(new WebUser("bob", Role.TELLER, null).toString()).contains("csrf=none");
    }

    @Test
    @DisplayName("§14: JANGLE_DB_PATH, JANGLE_DB_URL, JANGLE_DB_USER and JANGLE_DB_PASSWORD are read; the URL wins over the path")
    void environment() {
        BankingConfig c = BankingConfig.fromEnvironment(Map.of("JANGLE_DB_PATH", "/tmp/x.db",
                "JANGLE_DB_URL", "jdbc:postgresql://db/bank?password=secret", "JANGLE_DB_USER", "bank",
                "JANGLE_DB_PASSWORD", "pw"));
        assertThat(c.usesUrl()).isTrue();
        assertThat(c.dbUser()).isEqualTo("bank");
        assertThat(c.describeStore()).isEqualTo("jdbc:postgresql://db/bank?password=****");
        assertThat(c.toString()).doesNotContain("secret").doesNotContain("pw,");
        assertThat(c.environment()).containsEntry("JANGLE_DB_USER", "bank");
        assertThat(BankingConfig.fromEnvironment(Map.of("JANGLE_DB_PATH", "/tmp/x.db")).effectiveDbPath())
                .isEqualTo(Path.of("/tmp/x.db"));
    }

    @Test
    @DisplayName("memory wins over a URL and a path; withers keep the other fields")
    void memoryWins() {
        BankingConfig c = BankingConfig.database("jdbc:postgresql://db/bank", "u", "p").withMemory(true)
                .withClock(Clock.systemUTC());
        assertThat(c.usesUrl()).isFalse();
        assertThat(c.describeStore()).isEqualTo("memory");
        assertThat(c.dbUrl()).isEqualTo("jdbc:postgresql://db/bank");
    }
}
