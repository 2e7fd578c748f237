package jangle.banking.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may do what, and what bad input gets: every route × {anonymous, teller, operator}; the OpenAPI document against
 * the real routes; the login form, its cookie and the per-client limit on failures; CSRF on cookie writes; malformed,
 * oversized, mistyped and unknown input, path traversal and markup in names, each a clear 4xx that changes nothing.
 */
class WebSecurityTest {
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

    private String concrete(String path, String account) {
        return path.replace("{id}", account).replace("{tx}", "tx-none").replace("{eventId}", UUID.randomUUID().toString())
                .replace("{processor}", "no-such-processor");
    }

    /** The status of one call; the event stream is opened and closed as soon as its status is known. */
    private int status(String method, String path, String token) throws Exception {
        if (path.equals("/api/stream")) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(web.base() + path)).timeout(Duration.ofSeconds(30))
                    .header("Accept", "text/event-stream");
            if (token != null) b.header("Authorization", "Bearer " + token);
            HttpResponse<InputStream> r = web.client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())
                    .get(60, TimeUnit.SECONDS);
            r.body().close();
            return r.statusCode();
        }
        String body = method.equals("GET") ? null : "{}";
        return web.send(method, path, token, body).status();
    }

    @Test
    void everyRouteRefusesAnonymousAndWrongRoles() throws Exception {
        String account = web.open("Ada Lovelace", "10");
        List<WebServer.RouteInfo> routes = web.server.routes();
        // the walk covers every route Javalin really serves
        Set<String> walked = new TreeSet<>();
        routes.forEach(r -> walked.add(r.method() + " " + r.path()));
        Set<String> served = new TreeSet<>(web.server.registeredEndpoints());
        assertThat(walked).isEqualTo(served);
        List<String> wrong = new ArrayList<>();
        for (WebServer.RouteInfo r : routes) {
            String path = concrete(r.path(), account);
            int anonymous = status(r.method(), path, null);
            int teller = status(r.method(), path, web.teller);
            int operator = status(r.method(), path, web.operator);
            String line = r.method() + " " + r.path() + " (" + r.role() + "): anonymous " + anonymous + ", teller "
                    + teller + ", operator " + operator;
            boolean ok = switch (r.role()) {
                case ANYONE -> anonymous != 401 && anonymous != 403 && teller != 401 && teller != 403
                        && operator != 401 && operator != 403;
                case TELLER -> anonymous == 401 && teller != 401 && teller != 403 && operator != 401 && operator != 403;
                case OPERATOR -> anonymous == 401 && teller == 403 && operator != 401 && operator != 403;
            };
            if (!ok) wrong.add(line);
        }
        assertThat(wrong).isEmpty();
        assertThat(routes).hasSizeGreaterThan(30);
        assertThat(web.get("/api/accounts", "jb_notatoken").status()).isEqualTo(401);
        assertThat(web.send("GET", "/api/accounts", null, null, "Authorization", "Basic eDp5").status()).isEqualTo(401);
    }

    @Test
    void theOpenApiDocumentListsExactlyTheRealRoutesAndEachAnswers() throws Exception {
        String account = web.open("Ada Lovelace", "10");
        JsonNode doc = web.get("/openapi.json", web.operator).json();
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (Iterator<String> m = p.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (!method.equals("parameters")) documented.add(method.toUpperCase() + " " + p.getKey());
            }
        }
        Set<String> real = new TreeSet<>(web.server.registeredEndpoints());
        assertThat(documented).isEqualTo(real);
        for (String route : documented) {
            String[] parts = route.split(" ", 2);
            String path = concrete(parts[1], account);
            int status = status(parts[0], path, web.operator);
            // a documented route is routed: a 404 may only be the route's own answer (a JSON error), never "no route"
            if (status == 404) {
                assertThat(web.send(parts[0], path, web.operator, parts[0].equals("GET") ? null : "{}").body())
                        .as(route).startsWith("{\"error\":");
            } else {
                assertThat(status).as(route).isNotEqualTo(405).isLessThan(500);
            }
        }
    }

    @Test
    void theLoginFormSetsASafeCookieAndWritesThroughItNeedTheCsrfToken() {
        WebFixture.Reply page = web.get("/login", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
        WebFixture.Reply ok = login("tina", web.teller);
        assertThat(ok.status()).isEqualTo(303);
        String cookie = ok.header("Set-Cookie");
        assertThat(cookie).startsWith(WebServer.SESSION_COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict")
                .contains("Secure").contains("Path=/");
        String session = cookie.substring(0, cookie.indexOf(';'));
        JsonNode me = web.send("GET", "/api/session", null, null, "Cookie", session).json();
        assertThat(me.get("name").asText()).isEqualTo("tina");
        assertThat(me.get("role").asText()).isEqualTo("teller");
        String csrf = me.get("csrf").asText();
        long before = web.app.jangle().stores().events().lastPosition();
        WebFixture.Reply forged = web.send("POST", "/api/accounts", null, "{\"name\":\"Mallory Evil\"}",
                "Cookie", session);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.json().get("error").asText()).contains("CSRF");
        WebFixture.Reply wrongToken = web.send("POST", "/api/accounts", null, "{\"name\":\"Mallory Evil\"}",
                "Cookie", session, "X-CSRF-Token", "nope");
        assertThat(wrongToken.status()).isEqualTo(403);
        assertThat(web.app.jangle().stores().events().lastPosition()).isEqualTo(before);
        assertThat(web.send("POST", "/api/accounts", null, "{\"name\":\"Honest Abe\"}", "Cookie", session,
                "X-CSRF-Token", csrf).status()).isEqualTo(201);
        // a teller's session may not open the operator page or API
        assertThat(web.send("GET", "/api/ops/sagas", null, null, "Cookie", session).status()).isEqualTo(403);
        // logging out ends the session
        assertThat(web.send("POST", "/logout", null, null, "Cookie", session, "X-CSRF-Token", csrf).status())
                .isEqualTo(303);
        assertThat(web.send("GET", "/api/session", null, null, "Cookie", session).status()).isEqualTo(401);
        // removing a user ends its sessions at once
        String operatorCookie = login("oscar", web.operator).header("Set-Cookie");
        String operatorSession = operatorCookie.substring(0, operatorCookie.indexOf(';'));
        assertThat(web.send("GET", "/api/ops/sagas", null, null, "Cookie", operatorSession).status()).isEqualTo(200);
        assertThat(web.users.remove("oscar")).isTrue();
        assertThat(web.send("GET", "/api/ops/sagas", null, null, "Cookie", operatorSession).status()).isEqualTo(401);
    }

    @Test
    void failedLoginsAreLimitedPerClient() {
        for (int i = 0; i < 5; i++) {
            WebFixture.Reply r = login("tina", "jb_wrong" + i);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.body()).contains("Wrong name or token.");
        }
        WebFixture.Reply blocked = login("tina", web.teller);
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(Long.parseLong(blocked.header("Retry-After"))).isPositive();
        // bearer guesses from the same address are refused too, even a right token, until the window passes
        assertThat(web.get("/api/accounts", web.teller).status()).isEqualTo(429);
        assertThat(web.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void badInputGetsAClear4xxAndChangesNothing() {
        String ada = web.open("Ada Lovelace", "10");
        long before = web.app.jangle().stores().events().lastPosition();
        String deposits = "/api/accounts/" + ada + "/deposits";

        WebFixture.Reply malformed = web.post(deposits, web.teller, "{\"amount\": 5");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).startsWith("malformed JSON");
        WebFixture.Reply huge = web.post(deposits, web.teller, "{\"amount\":5,\"transactionId\":\"" + "x".repeat(200_000)
                + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        WebFixture.Reply typed = web.post(deposits, web.teller, "{\"amount\":5}", "Content-Type", "text/plain");
        assertThat(typed.status()).isEqualTo(415);
        assertThat(typed.json().get("error").asText()).contains("application/json");
        WebFixture.Reply unknown = web.post(deposits, web.teller, "{\"amount\":5,\"admin\":true}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("field").asText()).isEqualTo("admin");
        WebFixture.Reply wrongType = web.post(deposits, web.teller, "{\"amount\":{\"value\":5}}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("field").asText()).isEqualTo("amount");
        WebFixture.Reply array = web.post(deposits, web.teller, "[1,2]");
        assertThat(array.status()).isEqualTo(400);
        WebFixture.Reply duplicate = web.post(deposits, web.teller, "{\"amount\":5,\"amount\":500}");
        assertThat(duplicate.status()).isEqualTo(400);
        WebFixture.Reply trailing = web.post(deposits, web.teller, "{\"amount\":5} {\"amount\":5}");
        assertThat(trailing.status()).isEqualTo(400);
        WebFixture.Reply longName = web.post("/api/accounts", web.teller, "{\"name\":\"" + "A".repeat(16) + "\"}");
        assertThat(longName.status()).isEqualTo(400);
        assertThat(longName.json().get("field").asText()).isEqualTo("name");
        for (String traversal : List.of("/assets/..%2fopenapi.json", "/assets/%2e%2e/%2e%2e/etc/passwd",
                "/console/..%2f..%2fetc%2fpasswd", "/assets/console.js%00.html", "/api/accounts/..%2f..%2fstats")) {
            WebFixture.Reply r = web.get(traversal, web.operator);
            assertThat(r.status()).as(traversal).isBetween(400, 499);
            assertThat(r.body()).as(traversal).doesNotContain("root:").doesNotContain("\"openapi\"");
        }
        assertThat(web.app.jangle().stores().events().lastPosition()).isEqualTo(before);

        // markup in a name is data: stored as typed and returned as a JSON string (the console writes it as text)
        WebFixture.Reply script = web.post("/api/accounts", web.teller, "{\"name\":\"<i>Eve</i>\"}");
        assertThat(script.status()).isEqualTo(201);
        JsonNode view = web.get("/api/accounts/" + script.json().get("data").asText(), web.teller).json();
        assertThat(view.get("name").asText()).isEqualTo("<i>Eve</i>");
        assertThat(web.get("/api/accounts", web.teller).header("Content-Type")).startsWith("application/json");
    }

    private WebFixture.Reply login(String name, String token) {
        String form = "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8);
        return web.send("POST", "/login", null, form, "Content-Type", "application/x-www-form-urlencoded");
    }
}
