package jangle.example.bank;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The example end to end through HTTP on a real store: commands go in as requests, the projection comes out as JSON.
 * Each subclass boots the application on one store. Waits are on the projection's rows, bounded only against a hang.
 */
abstract class BankExampleContract {
    private static final Duration HANG = Duration.ofSeconds(60);

    @Autowired
    MockMvc http;

    @Autowired
    MeterRegistry meters;

    private String open(String name, String initialDeposit) throws Exception {
        MvcResult r = http.perform(post("/accounts").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"" + name + "\",\"initialDeposit\":" + initialDeposit + "}"))
                .andExpect(status().isCreated())
                .andExpect(header().exists("ETag"))
                .andReturn();
        String body = r.getResponse().getContentAsString();
        return body.replaceAll(".*\"accountId\":\"(\\d+)\".*", "$1");
    }

    private void awaitBalance(String accountId, String balance) {
        await().atMost(HANG).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                http.perform(get("/accounts/" + accountId)).andExpect(status().isOk())
                        .andExpect(jsonPath("$.balance").value(Double.parseDouble(balance))));
    }

    @Test
    void openDepositSendAndReadTheBalances() throws Exception {
        String ada = open("Ada Lovelace", "100.00");
        String grace = open("Grace Hopper", "null"); // no initial deposit
        awaitBalance(ada, "100.00");

        http.perform(post("/accounts/" + ada + "/deposits").contentType(MediaType.APPLICATION_JSON)
                .content("{\"amount\":25.50}")).andExpect(status().isOk());
        awaitBalance(ada, "125.50");

        http.perform(post("/transfers").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"" + ada + "\",\"to\":\"" + grace + "\",\"amount\":40}"))
                .andExpect(status().isAccepted());
        awaitBalance(ada, "85.50");
        awaitBalance(grace, "40.00"); // credited by the transfer mediator, a reactor running after the response

        http.perform(get("/accounts")).andExpect(status().isOk())
                .andExpect(jsonPath("$[*].name", hasItem("Grace Hopper")))
                .andExpect(jsonPath("$[?(@.accountId == '" + ada + "')].name").value("Ada Lovelace"));
        assertThat(meters.find("jangle.commands").timers()).as("commands measured through the starter")
                .isNotEmpty();
    }

    @Test
    void theBankRefusesWith422AndMalformedRequestsGet400() throws Exception {
        String poor = open("Poor Richard", "10");
        http.perform(post("/transfers").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"" + poor + "\",\"to\":\"999999\",\"amount\":1000}"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.rejected").isNotEmpty());
        http.perform(post("/accounts/" + poor + "/deposits").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"amount\":-5}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error").value(org.hamcrest.Matchers.containsString("amount")));
        awaitBalance(poor, "10.00"); // nothing of the refused requests was committed
        http.perform(get("/accounts/000000x")).andExpect(status().isNotFound());
    }

    @Test
    void actuatorHealthShowsJangle() throws Exception {
        http.perform(get("/actuator/health")).andExpect(status().isOk())
                .andExpect(jsonPath("$.components.jangle.status").value("UP"))
                .andExpect(jsonPath("$.components.jangle.details.store.status").value("UP"));
    }
}
