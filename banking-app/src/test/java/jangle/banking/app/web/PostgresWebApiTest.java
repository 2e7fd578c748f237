package jangle.banking.app.web;

import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's own tables on a real PostgreSQL: users and their tokens, idempotency keys kept across a restart and
 * refused for another body, a transfer and a rejection answered as on SQLite.
 */
class PostgresWebApiTest {
    @TempDir
    Path dir;
    WebFixture web;

    @AfterEach
    void stop() {
        if (web != null) web.close();
    }

    @Test
    void commandsKeysAndUsersOnPostgres() {
        web = new WebFixture(dir, EmbeddedPg.newDatabaseUrl(), Map.of(), b -> b);
        String ada = web.open("Ada Lovelace", "50");
        String bob = web.open("Bob Babbage", null);
        String body = "{\"from\":\"" + ada + "\",\"to\":\"" + bob + "\",\"amount\":20}";
        WebFixture.Reply sent = web.post("/api/transfers", web.teller, body, "Idempotency-Key", "pg-1");
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.json().get("outcome").asText()).isEqualTo("credited");
        assertThat(web.post("/api/accounts/" + ada + "/withdrawals", web.teller, "{\"amount\":500}").json()
                .get("reason").asText()).isEqualTo("Insufficient funds");
        long position = web.app.jangle().stores().events().lastPosition();
        web.restart();
        assertThat(web.post("/api/transfers", web.teller, body, "Idempotency-Key", "pg-1").body())
                .isEqualTo(sent.body());
        assertThat(web.post("/api/transfers", web.teller, body.replace("20", "21"), "Idempotency-Key", "pg-1")
                .status()).isEqualTo(409);
        assertThat(web.app.jangle().stores().events().lastPosition()).isEqualTo(position);
        assertThat(web.get("/api/accounts/" + bob, web.operator).json().get("balance").decimalValue())
                .isEqualByComparingTo("20.00");
        assertThat(web.users.list()).extracting(UserStore.Listed::name).containsExactly("oscar", "tina");
        assertThat(web.users.remove("tina")).isTrue();
        assertThat(web.get("/api/accounts", web.teller).status()).isEqualTo(401);
    }
}
