package jangle.banking.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import jangle.Event;
import jangle.EventRecord;
import jangle.Projection;
import jangle.banking.FundsDeposited;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live event stream resumed with {@code Last-Event-ID}, and the operator API acting on a delivery parked by a
 * handler broken on purpose: listed as dead, retried once the handler works again, or skipped with a reason.
 */
class WebStreamAndOpsTest {
    @TempDir
    Path dir;
    WebFixture web;

    /** A handler of deposits that fails while {@code broken} is set. */
    static final class Breakable implements Projection<FundsDeposited> {
        final AtomicBoolean broken = new AtomicBoolean();
        final AtomicInteger handled = new AtomicInteger();

        @Override
        public String name() {
            return "breakable";
        }

        @Override
        public Set<Class<? extends FundsDeposited>> eventTypes() {
            return Set.of(FundsDeposited.class);
        }

        @Override
        public void handle(EventRecord<? extends FundsDeposited> record) {
            if (broken.get()) throw new IllegalStateException("broken on purpose");
            handled.incrementAndGet();
        }
    }

    @AfterEach
    void stop() {
        if (web != null) web.close();
    }

    @Test
    void theStreamResumesAfterLastEventIdInFeedOrder() throws Exception {
        web = new WebFixture(dir, Map.of());
        String ada = web.open("Ada Lovelace", "10");
        long resumeAfter = web.app.jangle().stores().events().lastPosition();
        for (int i = 1; i <= 3; i++) web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":" + i + "}");
        long last = web.app.jangle().stores().events().lastPosition();

        HttpRequest request = HttpRequest.newBuilder(URI.create(web.base() + "/api/stream"))
                .header("Authorization", "Bearer " + web.teller).header("Last-Event-ID", String.valueOf(resumeAfter))
                .header("Accept", "text/event-stream")
                .build();
        HttpResponse<Stream<String>> response = web.client.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Long> ids = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        // read until the stream has delivered the last position (bounded: a hang fails here, not a slow machine)
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            var it = response.body().iterator();
            Long id = null;
            String json = null;
            while (it.hasNext() && (ids.isEmpty() || ids.getLast() < last)) {
                String line = it.next();
                if (line.startsWith("id:")) id = Long.parseLong(line.substring(3).strip());
                if (line.startsWith("data:")) json = line.substring(5).strip();
                if (line.isEmpty() && id != null && json != null) { // an event ends at a blank line
                    ids.add(id);
                    try {
                        data.add(WebFixture.JSON.readTree(json));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    id = null;
                    json = null;
                }
            }
        });
        reading.get(60, TimeUnit.SECONDS);
        response.body().close();
        assertThat(ids).isSorted().allMatch(id -> id > resumeAfter);
        assertThat(ids.getFirst()).isEqualTo(resumeAfter + 1);
        assertThat(ids.getLast()).isEqualTo(last);
        List<JsonNode> deposits = data.stream().filter(d -> d.get("type").asText().equals("FundsDeposited")).toList();
        assertThat(deposits).hasSize(3);
        assertThat(deposits.get(2).get("event").get("balance").decimalValue()).isEqualByComparingTo("16.00");
        assertThat(deposits.get(0).get("aggregateId").asText()).isEqualTo(ada);
        assertThat(web.send("GET", "/api/stream", web.teller, null, "Last-Event-ID", "x", "Accept", "text/event-stream")
                .status()).isEqualTo(400);
        assertThat(web.send("GET", "/api/stream", web.teller, null).status()).isEqualTo(406);
    }

    @Test
    void aParkedDeliveryIsListedRetriedAndSkippedThroughTheOperatorApi() throws Exception {
        Breakable breakable = new Breakable();
        web = new WebFixture(dir, Map.of("JANGLE_DEAD_LETTER_ATTEMPTS", "1"), b -> b.projection(breakable));
        String ada = web.open("Ada Lovelace", null);
        breakable.broken.set(true);
        web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":7}");
        web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":8}");
        JsonNode dead = awaitDead(2);
        assertThat(dead.get(0).get("handler").asText()).isEqualTo("breakable");
        assertThat(dead.get(0).get("lastError").asText()).contains("broken on purpose");
        JsonNode processors = web.get("/api/ops/processors", web.operator).json();
        assertThat(processors.get("processors").findValuesAsText("handler")).contains("bank-views", "breakable");

        breakable.broken.set(false);
        String first = dead.get(0).get("eventId").asText();
        WebFixture.Reply retried = web.post("/api/ops/deliveries/" + first + "/retry", web.operator,
                "{\"handler\":\"breakable\"}");
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.json().get("retried").asInt()).isEqualTo(1);
        String second = dead.get(1).get("eventId").asText();
        WebFixture.Reply skipped = web.post("/api/ops/deliveries/" + second + "/skip", web.operator,
                "{\"handler\":\"breakable\",\"reason\":\"test: not needed\"}");
        assertThat(skipped.status()).isEqualTo(200);
        awaitDead(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (breakable.handled.get() < 1 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(breakable.handled.get()).isEqualTo(1); // retried once, the skipped one never ran
        assertThat(web.post("/api/ops/deliveries/" + second + "/retry", web.operator, null).status()).isEqualTo(404);
        assertThat(web.post("/api/ops/deliveries/" + second + "/skip", web.operator, "{\"handler\":\"breakable\"}")
                .json().get("field").asText()).isEqualTo("reason");
        assertThat(web.get("/api/ops/deliveries?status=bogus", web.operator).status()).isEqualTo(400);
        assertThat(web.get("/api/ops/sagas?all=true", web.operator).status()).isEqualTo(200);
        JsonNode health = web.get("/health", null).json();
        assertThat(health.get("status").asText()).isEqualTo("up");
        assertThat(health.get("checks").get("store").get("status").asText()).isEqualTo("up");
        assertThat(health.get("checks").has("dead-letters:breakable")).as(health.toString()).isFalse();
        var metrics = web.get("/metrics", web.operator);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("jangle_commands");
        assertThat(web.get("/metrics", web.teller).status()).isEqualTo(403);
    }

    @Test
    @org.junit.jupiter.api.Tag("D12")
    @org.junit.jupiter.api.Tag("D17")
    void processorsAreListedWithSegmentsAndResetByAnOperatorOnly() throws Exception {
        web = new WebFixture(dir, Map.of());
        String ada = web.open("Ada Lovelace", "10");
        web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":5}");
        assertThat(web.app.awaitProcessors(web.app.jangle().stores().events().lastPosition(), Duration.ofSeconds(60),
                "bank-views")).isTrue();
        JsonNode doc = web.get("/api/ops/processors", web.operator).json();
        long head = doc.get("lastPosition").asLong();
        JsonNode views = null;
        for (JsonNode p : doc.get("processors")) if (p.get("processor").asText().equals("bank-views")) views = p;
        assertThat(views).as(doc.toString()).isNotNull();
        assertThat(views.get("position").asLong()).isEqualTo(head);
        assertThat(views.get("lagEvents").asLong()).isZero();
        assertThat(views.get("segments")).hasSize(4);
        assertThat(views.get("segments").findValuesAsText("owner")).as("this node holds every segment")
                .allMatch(o -> !o.equals("null"));

        String reset = "/api/ops/processors/bank-views/reset";
        assertThat(web.post(reset, web.teller, "{\"position\":0}").status()).isEqualTo(403);
        assertThat(web.post(reset, null, "{\"position\":0}").status()).isEqualTo(401);
        assertThat(web.post("/api/ops/processors/nope/reset", web.operator, "{\"position\":0}").status()).isEqualTo(404);
        assertThat(web.post(reset, web.operator, "{\"position\":\"x\"}").status()).isEqualTo(400);
        assertThat(web.post(reset, web.operator, "{\"position\":1.5}").status()).isEqualTo(400);
        WebFixture.Reply past = web.post(reset, web.operator, "{\"position\":" + (head + 1) + "}");
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.json().get("error").asText()).contains("head of the feed (" + head + ")");
        WebFixture.Reply ok = web.post(reset, web.operator, "{\"position\":0}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("segments").asInt()).isEqualTo(4);
        // bank-views handles the feed again; its versioned upserts leave the balance as it was (nothing doubled)
        assertThat(web.app.awaitProcessors(head, Duration.ofSeconds(60), "bank-views")).isTrue();
        assertThat(web.app.jangle().query(new jangle.banking.AccountsList()))
                .extracting(i -> i.accountId() + " " + i.balance().toPlainString()).containsExactly(ada + " 15.00");
        assertThat(web.app.verifyReplay(null)).isEmpty();
    }

    /** A deposits handler that waits at a gate, so a request can be held in flight (its settle waits for it). */
    static final class Gate implements Projection<FundsDeposited> {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);

        @Override
        public String name() {
            return "gate";
        }

        @Override
        public Set<Class<? extends FundsDeposited>> eventTypes() {
            return Set.of(FundsDeposited.class);
        }

        @Override
        public void handle(EventRecord<? extends FundsDeposited> record) throws InterruptedException {
            entered.countDown();
            if (!open.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("the gate was never opened");
        }
    }

    @Test
    void stopDrainsTheRequestInFlightAndRefusesNewOnes() throws Exception {
        Gate gate = new Gate();
        web = new WebFixture(dir, Map.of(), b -> b.projection(gate));
        String ada = web.open("Ada Lovelace", null);
        CompletableFuture<WebFixture.Reply> inFlight = CompletableFuture.supplyAsync(() ->
                web.post("/api/accounts/" + ada + "/deposits", web.teller, "{\"amount\":3}"));
        assertThat(gate.entered.await(60, TimeUnit.SECONDS)).isTrue(); // committed, now settling
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(web.server::stop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int refused = 0;
        while (refused == 0 && System.nanoTime() < deadline) {
            refused = web.get("/api/accounts", web.teller).status() == 503 ? 1 : 0;
        }
        assertThat(refused).as("a new request while stopping gets 503").isEqualTo(1);
        assertThat(stopping).isNotDone();
        gate.open.countDown();
        WebFixture.Reply reply = inFlight.get(60, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains("\"balance\":3.00");
        stopping.get(60, TimeUnit.SECONDS);
    }

    private JsonNode awaitDead(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode dead;
        do {
            dead = web.get("/api/ops/deliveries?status=dead", web.operator).json();
            if (dead.size() == n) return dead;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + n + " dead letters, have " + dead);
    }
}
