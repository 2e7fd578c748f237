package jangle.banking.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import jangle.JangleBuilder;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real server for tests: a SQLite file, the bank with dispatch running, {@link WebServer} on a free loopback port,
 * and one teller and one operator token. {@link #restart()} closes everything and opens the same file again.
 */
final class WebFixture implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    final Path db;
    final String pgUrl;
    final Map<String, String> env;
    BankingApplication app;
    UserStore users;
    WebServer server;
    String teller;
    String operator;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final UnaryOperator<JangleBuilder> customize;

    WebFixture(Path dir, Map<String, String> extraEnv) {
        this(dir, extraEnv, b -> b);
    }

    /** {@code customize} has the last say over the builder (a test adds a handler it can break). */
    WebFixture(Path dir, Map<String, String> extraEnv, UnaryOperator<JangleBuilder> customize) {
        this(dir, null, extraEnv, customize);
    }

    /** On PostgreSQL when {@code pgUrl} is given (user and password postgres), else on a SQLite file in {@code dir}. */
    WebFixture(Path dir, String pgUrl, Map<String, String> extraEnv, UnaryOperator<JangleBuilder> customize) {
        this.db = dir.resolve("bank.db");
        this.pgUrl = pgUrl;
        this.env = new HashMap<>(extraEnv);
        this.customize = customize;
        open(true);
    }

    private void open(boolean createUsers) {
        BankingConfig config = pgUrl == null
                ? new BankingConfig(db.toString(), null, null, null, false, Clock.systemUTC(), env)
                : new BankingConfig(null, pgUrl, "postgres", "postgres", false, Clock.systemUTC(), env);
        app = BankingApplication.open(config, customize);
        app.start();
        users = UserStore.open(app.database(), Clock.systemUTC());
        if (createUsers) {
            teller = users.add("tina", Role.TELLER);
            operator = users.add("oscar", Role.OPERATOR);
        }
        server = WebServer.start(app, users, WebServer.Options.defaults().withAddress("127.0.0.1", 0),
                new LibraryHealth(app.observability()), LibraryHealth.metrics(app.observability())); // as serve wires it
    }

    void restart() {
        closeQuietly();
        open(false);
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply send(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        // as curl does for a body over 1 KiB: a server that refuses the request by its headers (413) answers before the
        // body is sent, instead of closing the connection while the client still writes it (then the client saw only
        // a broken pipe, not the 413)
        if (body != null && body.length() > 1024) b.expectContinue(true);
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            if (headers[i].equalsIgnoreCase("Content-Type")) typed = true;
        }
        if (body != null && !typed) b.header("Content-Type", "application/json");
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Reply get(String path, String token) {
        return send("GET", path, token, null);
    }

    Reply post(String path, String token, String body, String... headers) {
        return send("POST", path, token, body, headers);
    }

    /** Opens an account over HTTP and returns its id. */
    String open(String name, String deposit) {
        Reply r = post("/api/accounts", teller, "{\"name\":\"" + name + "\""
                + (deposit == null ? "" : ",\"initialDeposit\":" + deposit) + "}");
        if (r.status() != 201) throw new AssertionError("create failed: " + r.status() + " " + r.body());
        return r.json().get("data").asText();
    }

    private void closeQuietly() {
        try {
            if (server != null) server.stop();
        } finally {
            if (app != null) app.close();
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
