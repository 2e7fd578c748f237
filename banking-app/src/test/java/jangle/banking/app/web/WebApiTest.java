package jangle.banking.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bank over HTTP on a real SQLite file: every command and query with the JSON of {@code --json}, rejections as
 * 404/422 with the bank's reason, idempotency keys (also across a restart), and reading one's writes with
 * {@code ?after=}.
 */
class WebApiTest {
    @TempDir
    Path dir;
    WebFixture web;

    @BeforeEach
    void start() {
        web = new WebFixture(dir, Map.of());
    }

    @AfterEach
    void stop() {
        web.close();
    }

    @Test
    void everyCommandAndQueryAnswersWithTheCliJson() {
        WebFixture.Reply created = web.post("/api/accounts", web.teller, "{\"name\":\"Ada Lovelace\",\"initialDeposit\":100}");
        assertThat(created.status()).isEqualTo(201);
        // the field order and exact decimals of `create-account --json`
        assertThat(created.body()).startsWith("{\"success\":true,\"reason\":null,\"data\":\"");
        String ada = created.json().get("data").asText();
        assertThat(created.header("Location")).isEqualTo("/api/accounts/" + ada);
        assertThat(created.header("X-Consistency-Token")).isEqualTo(created.json().get("position").asText());
        String bob = web.open("Bob Babbage", null);

        WebFixture.Reply dep = web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":\"5.5\"}");
        assertThat(dep.status()).isEqualTo(200);
        assertThat(dep.body()).contains("\"balance\":105.50");
        WebFixture.Reply wd = web.post("/api/accounts/" + ada + "/withdrawals", web.teller, "{\"amount\":0.50}");
        assertThat(wd.body()).contains("\"balance\":105.00");

        WebFixture.Reply sent = web.post("/api/transfers", web.teller,
                "{\"from\":\"" + ada + "\",\"to\":\"" + bob + "\",\"amount\":25,\"transactionId\":\"t-1\"}");
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.json().get("transactionId").asText()).isEqualTo("t-1");
        assertThat(sent.json().get("outcome").asText()).isEqualTo("credited");

        WebFixture.Reply asked = web.post("/api/requests", web.teller,
                "{\"account\":\"" + bob + "\",\"from\":\"" + ada + "\",\"amount\":10}");
        assertThat(asked.status()).isEqualTo(200);
        String tx = asked.json().get("transactionId").asText();
        JsonNode summary = web.get("/api/accounts/" + ada, web.teller).json();
        assertThat(summary.get("pendingRequests").get(0).get("transactionId").asText()).isEqualTo(tx);
        WebFixture.Reply accepted = web.post("/api/requests/" + tx + "/accept", web.teller,
                "{\"account\":\"" + ada + "\"}");
        assertThat(accepted.json().get("outcome").asText()).isEqualTo("credited");

        String tx2 = web.post("/api/requests", web.teller,
                "{\"account\":\"" + bob + "\",\"from\":\"" + ada + "\",\"amount\":1}").json().get("transactionId").asText();
        assertThat(web.post("/api/requests/" + tx2 + "/reject", web.teller, "{\"account\":\"" + ada + "\"}").status())
                .isEqualTo(200);

        String carl = web.open("Carl Gauss", null);
        assertThat(web.post("/api/accounts/" + carl + "/forgive", web.teller, null).json().get("reason").asText())
                .isEqualTo("Forgiveness not applicable");
        web.post("/api/accounts/" + carl + "/withdrawals", web.teller, "{\"amount\":30}");
        WebFixture.Reply forgive = web.post("/api/accounts/" + carl + "/forgive", web.teller, null);
        assertThat(forgive.status()).isEqualTo(200);
        assertThat(forgive.body()).contains("\"amountForgiven\":30.00");
        assertThat(web.send("PUT", "/api/accounts/" + carl + "/name", web.teller, "{\"name\":\"Carl F Gauss\"}")
                .status()).isEqualTo(200);
        assertThat(web.get("/api/accounts/" + carl, web.teller).json().get("name").asText()).isEqualTo("Carl F Gauss");
        assertThat(web.send("DELETE", "/api/accounts/" + carl, web.teller, null).status()).isEqualTo(200);

        JsonNode accounts = web.get("/api/accounts", web.teller).json();
        assertThat(accounts).hasSize(2);
        assertThat(accounts.get(0).get("balance").decimalValue()).isEqualByComparingTo("70.00");
        assertThat(accounts.get(1).get("balance").decimalValue()).isEqualByComparingTo("35.00");
        JsonNode ledger = web.get("/api/accounts/" + ada + "/ledger", web.teller).json();
        assertThat(ledger).hasSize(5);
        assertThat(web.get("/api/accounts/" + ada + "/ledger", web.teller).body()).contains("\"amount\":-25.00");
        JsonNode stats = web.get("/api/stats", web.teller).json();
        assertThat(stats.get("activeAccounts").asLong()).isEqualTo(2);
        assertThat(stats.get("deletedAccounts").asLong()).isEqualTo(1);
        assertThat(stats.get("netBalance").decimalValue()).isEqualByComparingTo("105.00");
        assertThat(stats.get("debtForgiven").decimalValue()).isEqualByComparingTo("30.00");
    }

    @Test
    void rejectionsCarryTheBanksReasonAndChangeNothing() {
        String ada = web.open("Ada Lovelace", "10");
        long before = web.app.jangle().stores().events().lastPosition();
        WebFixture.Reply poor = web.post("/api/accounts/" + ada + "/withdrawals", web.teller, "{\"amount\":111}");
        assertThat(poor.status()).isEqualTo(422);
        assertThat(poor.json().get("success").asBoolean()).isFalse();
        assertThat(poor.json().get("reason").asText()).isEqualTo("Insufficient funds");
        WebFixture.Reply missing = web.post("/api/accounts/999999/deposits", web.teller, "{\"amount\":1}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("reason").asText()).isEqualTo("Account does not exist");
        assertThat(web.get("/api/accounts/999999", web.teller).status()).isEqualTo(404);
        assertThat(web.get("/api/accounts/999999/ledger", web.teller).status()).isEqualTo(404);
        WebFixture.Reply bad = web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":1.234}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("amount");
        assertThat(bad.json().get("error").asText()).isEqualTo("amount must have at most 2 decimal places");
        WebFixture.Reply noAmount = web.post("/api/accounts/" + ada + "/deposits", web.teller, "{}");
        assertThat(noAmount.status()).isEqualTo(400);
        assertThat(noAmount.json().get("field").asText()).isEqualTo("amount");
        assertThat(web.post("/api/accounts/12/deposits", web.teller, "{\"amount\":1}").json().get("field").asText())
                .isEqualTo("account");
        assertThat(web.app.jangle().stores().events().lastPosition()).isEqualTo(before);
    }

    @Test
    void anIdempotencyKeyReturnsTheFirstAnswerAlsoAfterARestartAndRefusesAnotherBody() {
        String ada = web.open("Ada Lovelace", "10");
        String path = "/api/accounts/" + ada + "/deposits";
        WebFixture.Reply first = web.post(path, web.teller, "{\"amount\":5}", "Idempotency-Key", "k-1");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body()).contains("\"balance\":15.00");
        WebFixture.Reply again = web.post(path, web.teller, "{\"amount\":5}", "Idempotency-Key", "k-1");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        long position = web.app.jangle().stores().events().lastPosition();

        WebFixture.Reply other = web.post(path, web.teller, "{\"amount\":6}", "Idempotency-Key", "k-1");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().get("error").asText()).contains("k-1").contains("different request");
        assertThat(web.app.jangle().stores().events().lastPosition()).isEqualTo(position);

        web.restart();
        WebFixture.Reply afterRestart = web.post(path, web.teller, "{\"amount\":5}", "Idempotency-Key", "k-1");
        assertThat(afterRestart.status()).isEqualTo(200);
        assertThat(afterRestart.body()).isEqualTo(first.body());
        assertThat(web.get("/api/accounts/" + ada, web.teller).json().get("balance").decimalValue())
                .isEqualByComparingTo("15.00");
        assertThat(web.app.jangle().stores().events().lastPosition()).isEqualTo(position);

        // a rejection is an answer too: its repeat is the same rejection, even after the balance would allow it
        WebFixture.Reply refused = web.post("/api/accounts/" + ada + "/withdrawals", web.teller, "{\"amount\":200}",
                "Idempotency-Key", "k-2");
        assertThat(refused.status()).isEqualTo(422);
        web.post(path, web.teller, "{\"amount\":300}");
        assertThat(web.post("/api/accounts/" + ada + "/withdrawals", web.teller, "{\"amount\":200}",
                "Idempotency-Key", "k-2").body()).isEqualTo(refused.body());
        // keys are per user: the operator's k-1 is another request
        assertThat(web.post(path, web.operator, "{\"amount\":1}", "Idempotency-Key", "k-1").status()).isEqualTo(200);
        assertThat(web.post(path, web.teller, "{\"amount\":1}", "Idempotency-Key", "bad key!").status())
                .isEqualTo(400);
    }

    @Test
    void aQueryAfterATokenSeesTheWrite() {
        String ada = web.open("Ada Lovelace", "10");
        WebFixture.Reply dep = web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":1}");
        String token = dep.header("X-Consistency-Token");
        assertThat(Long.parseLong(token)).isPositive();
        JsonNode view = web.get("/api/accounts/" + ada + "?after=" + token, web.teller).json();
        assertThat(view.get("balance").decimalValue()).isEqualByComparingTo("11.00");
        assertThat(web.get("/api/accounts?after=x", web.teller).status()).isEqualTo(400);
        assertThat(web.get("/api/stats?after=-1", web.teller).status()).isEqualTo(400);
    }
}
