package jangle.banking.app.web;

import jangle.ConsistencyTimeoutException;
import jangle.InvalidMessageException;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.cli.CommandFacts;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.security.RouteRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jangle-bank serve}: the bank's HTTP API, its live event stream, the operator API and the web console, on
 * Javalin (Jetty 12). Built from an open {@link BankingApplication} whose dispatch the caller runs; {@link #stop()}
 * drains requests in flight before Jetty stops, and the caller closes the application after it, so nothing a client
 * was told is lost.
 *
 * <p><b>Authentication.</b> Every route names the least {@link Role} it needs. A caller is a bearer token
 * ({@code Authorization: Bearer jb_...}, see {@link UserStore}) or the console's session cookie ({@code jangle_session},
 * HttpOnly, SameSite=Strict, Secure unless turned off for plain-HTTP testing). No credential on a protected route is
 * 401, the wrong role 403. A cookie-session write needs the session's CSRF token in {@code X-CSRF-Token} (the
 * console's script sends it); bearer callers need none, as no browser adds that header on its own. Failed logins and
 * bad tokens are counted per client address, and past the limit a client gets 429 until its window passes.
 *
 * <p>Every answer carries a strict Content-Security-Policy (scripts and styles only from this server, no inline
 * script), {@code nosniff}, no referrer and no framing; the console writes every name with {@code textContent},
 * never as HTML.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("jangle.banking.web");
    static final String SESSION_COOKIE = "jangle_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String USER = "jangle.user";

    /** Server settings; {@link #defaults()} is what {@code jangle-bank serve} uses without options. */
    public record Options(String host, int port, int maxBodyBytes, boolean secureCookies, Duration settleWait,
                          int maxStreams, int maxLoginFailures, Duration loginWindow, Duration sessionLifetime,
                          Duration drainTimeout) {
        public Options {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 to 65535");
            if (maxBodyBytes < 1024) throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
        }

        public static Options defaults() {
            return new Options("127.0.0.1", 8080, 64 * 1024, true, Duration.ofSeconds(5), 100, 5,
                    Duration.ofMinutes(5), Duration.ofHours(8), Duration.ofSeconds(10));
        }

        public Options withAddress(String newHost, int newPort) {
            return new Options(newHost, newPort, maxBodyBytes, secureCookies, settleWait, maxStreams, maxLoginFailures,
                    loginWindow, sessionLifetime, drainTimeout);
        }

        /** How long a command answer waits for its chain to settle, and a query for {@code ?after=}. */
        public Options withSettleWait(Duration newWait) {
            return new Options(host, port, maxBodyBytes, secureCookies, newWait, maxStreams, maxLoginFailures,
                    loginWindow, sessionLifetime, drainTimeout);
        }

        public Options withSecureCookies(boolean secure) {
            return new Options(host, port, maxBodyBytes, secure, settleWait, maxStreams, maxLoginFailures, loginWindow,
                    sessionLifetime, drainTimeout);
        }
    }

    /** A route as registered: method, path (Javalin's {@code {param}} syntax) and the least role it needs. */
    public record RouteInfo(String method, String path, Role role) {
    }

    private final Options options;
    private final UserStore users;
    private final Sessions sessions;
    private final LoginLimiter limiter;
    private final BankApi bank;
    private final OpsApi ops;
    private final EventStream stream;
    private final ConsolePages pages;
    private final CommandFacts facts = new CommandFacts();
    private final Map<String, String> resources = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<RouteInfo> routes = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    private Javalin javalin;

    private WebServer(BankingApplication app, UserStore users, Options options, HealthSource health,
                      MetricsSource metrics, Clock clock) {
        this.options = options;
        this.users = users;
        this.sessions = new Sessions(clock, options.sessionLifetime());
        this.limiter = new LoginLimiter(clock, options.maxLoginFailures(), options.loginWindow());
        Http http = new Http(options.maxBodyBytes());
        this.bank = new BankApi(app, facts, http, new IdempotencyStore(app.database(), clock), options.settleWait());
        this.ops = new OpsApi(app, facts, http, health, metrics);
        this.stream = new EventStream(app, facts, options.maxStreams());
        this.pages = new ConsolePages();
    }

    /**
     * Starts serving. {@code metrics} may be null (then {@code /metrics} answers 404).
     *
     * @throws IllegalStateException when the address cannot be bound
     */
    public static WebServer start(BankingApplication app, UserStore users, Options options, HealthSource health,
                                  MetricsSource metrics) {
        WebServer server = new WebServer(app, users, options, health, metrics, app.config().clock());
        server.javalin = Javalin.create(server::configure);
        try {
            server.javalin.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot serve on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        }
        LOG.atInfo().addKeyValue("point", "web.started").addKeyValue("url", server.url()).log("serving HTTP");
        return server;
    }

    /** The port bound (the real one when the options asked for 0). */
    public int port() {
        return javalin.port();
    }

    public String url() {
        return "http://" + options.host() + ":" + port() + "/";
    }

    /** Every route with the role it needs (the route × role test walks this list). */
    public List<RouteInfo> routes() {
        return List.copyOf(routes);
    }

    /** Javalin's own view of the registered HTTP routes (method and path), to check {@link #routes()} against. */
    public List<String> registeredEndpoints() {
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(p -> p.endpoint.method.isHttpMethod())
                .map(p -> p.endpoint.method.name() + " " + p.endpoint.path).toList();
    }

    /**
     * Graceful stop: new requests get 503, event streams end (clients resume with Last-Event-ID), requests in flight
     * finish (bounded by the drain timeout), then Jetty stops. Idempotent.
     */
    public synchronized void stop() {
        if (stopping && javalin == null) return;
        stopping = true;
        stream.close();
        long deadline = System.nanoTime() + options.drainTimeout().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Javalin j = javalin;
        javalin = null;
        if (j != null) j.stop();
        LOG.atInfo().addKeyValue("point", "web.stopped").log("HTTP server stopped");
    }

    @Override
    public void close() {
        stop();
    }

    // =================================================================================================================

    private void configure(JavalinConfig config) {
        config.jetty.host = options.host();
        config.jetty.port = options.port();
        config.http.maxRequestSize = options.maxBodyBytes();
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.concurrency.useVirtualThreads = true;
        // Graceful stop: Jetty answers every request it has started before it closes the connections. stop()'s own
        // drain ends when the handlers have returned, which is before the response has reached the client: without
        // this, a deposit that committed in the last request could lose its answer at a SIGTERM.
        config.jetty.modifyServer(server -> {
            server.setHandler(new org.eclipse.jetty.server.handler.GracefulHandler());
            server.setStopTimeout(Math.max(1, options.drainTimeout().toMillis()));
        });
        var r = config.routes;

        r.before(ctx -> {
            if (!ctx.path().equals("/api/stream")) { // a stream is long-lived: stop() ends it instead of waiting
                inFlight.incrementAndGet();
                ctx.attribute("jangle.counted", Boolean.TRUE);
            }
            ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
                    + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                    + "base-uri 'none'");
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Referrer-Policy", "no-referrer");
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("Cache-Control", "no-store");
            if (stopping) throw new ApiError(503, "the server is stopping");
        });
        r.after(ctx -> {
            if (ctx.attribute("jangle.counted") != null) inFlight.decrementAndGet();
        });
        r.beforeMatched(this::authorize);

        r.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage(), e.field));
        r.exception(InvalidMessageException.class, (e, ctx) -> error(ctx, 400, e.getMessage(), e.field()));
        r.exception(ConsistencyTimeoutException.class, (e, ctx) -> error(ctx, 503, e.getMessage(), null));
        r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage(), null));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.atError().addKeyValue("point", "web.failed").setCause(e).log("request {} {} failed",
                    ctx.method().name(), ctx.path());
            error(ctx, 500, "the server failed: " + e.getClass().getSimpleName(), null);
        });

        // the bank (cli.md's commands and queries)
        route(r, HandlerType.GET, "/api/accounts", Role.TELLER, bank::accounts);
        route(r, HandlerType.POST, "/api/accounts", Role.TELLER, ctx -> bank.createAccount(ctx, user(ctx)));
        route(r, HandlerType.GET, "/api/accounts/{id}", Role.TELLER, bank::summary);
        route(r, HandlerType.DELETE, "/api/accounts/{id}", Role.TELLER, ctx -> bank.delete(ctx, user(ctx)));
        route(r, HandlerType.GET, "/api/accounts/{id}/ledger", Role.TELLER, bank::ledger);
        route(r, HandlerType.PUT, "/api/accounts/{id}/name", Role.TELLER, ctx -> bank.rename(ctx, user(ctx)));
        route(r, HandlerType.POST, "/api/accounts/{id}/deposits", Role.TELLER, ctx -> bank.deposit(ctx, user(ctx)));
        route(r, HandlerType.POST, "/api/accounts/{id}/withdrawals", Role.TELLER,
                ctx -> bank.withdraw(ctx, user(ctx)));
        route(r, HandlerType.POST, "/api/accounts/{id}/forgive", Role.TELLER, ctx -> bank.forgive(ctx, user(ctx)));
        route(r, HandlerType.POST, "/api/transfers", Role.TELLER, ctx -> bank.transfer(ctx, user(ctx)));
        route(r, HandlerType.POST, "/api/requests", Role.TELLER, ctx -> bank.request(ctx, user(ctx)));
        route(r, HandlerType.POST, "/api/requests/{tx}/accept", Role.TELLER, ctx -> bank.accept(ctx, user(ctx)));
        route(r, HandlerType.POST, "/api/requests/{tx}/reject", Role.TELLER, ctx -> bank.reject(ctx, user(ctx)));
        route(r, HandlerType.GET, "/api/stats", Role.TELLER, bank::stats);
        route(r, HandlerType.GET, "/api/session", Role.TELLER, this::session);
        routes.add(new RouteInfo("GET", "/api/stream", Role.TELLER));
        r.sse("/api/stream", client -> stream.serve(client, client.ctx().attribute("jangle.after")), Role.TELLER);

        // operators
        route(r, HandlerType.GET, "/api/ops/processors", Role.OPERATOR, ops::processors);
        route(r, HandlerType.POST, "/api/ops/processors/{processor}/reset", Role.OPERATOR, ops::resetProcessor);
        route(r, HandlerType.GET, "/api/ops/deliveries", Role.OPERATOR, ops::deliveries);
        route(r, HandlerType.POST, "/api/ops/deliveries/retry-all", Role.OPERATOR, ops::retryAll);
        route(r, HandlerType.POST, "/api/ops/deliveries/{eventId}/retry", Role.OPERATOR, ops::retry);
        route(r, HandlerType.POST, "/api/ops/deliveries/{eventId}/skip", Role.OPERATOR, ops::skip);
        route(r, HandlerType.GET, "/api/ops/sagas", Role.OPERATOR, ops::sagas);
        route(r, HandlerType.GET, "/metrics", Role.OPERATOR, ops::metrics);
        route(r, HandlerType.GET, "/health", Role.ANYONE, ops::health);

        // documents, login and the console
        route(r, HandlerType.GET, "/openapi.json", Role.TELLER,
                ctx -> ctx.contentType("application/json; charset=utf-8").result(resource("openapi.json")));
        route(r, HandlerType.GET, "/", Role.ANYONE,
                ctx -> ctx.redirect(current(ctx).isPresent() ? "/console/accounts" : "/login",
                        io.javalin.http.HttpStatus.SEE_OTHER));
        route(r, HandlerType.GET, "/login", Role.ANYONE, ctx -> ctx.html(pages.login(null)));
        route(r, HandlerType.POST, "/login", Role.ANYONE, this::login);
        route(r, HandlerType.POST, "/logout", Role.TELLER, this::logout);
        for (ConsolePages.Page p : ConsolePages.PAGES) {
            route(r, HandlerType.GET, "/console/" + p.name(), p.role(), ctx -> ctx.html(pages.page(p)));
        }
        for (String asset : ConsolePages.ASSETS.keySet()) {
            route(r, HandlerType.GET, "/assets/" + asset, Role.ANYONE, ctx -> {
                ctx.header("Cache-Control", "no-cache");
                ctx.contentType(ConsolePages.ASSETS.get(asset)).result(resource("console/" + asset));
            });
        }
    }

    private void route(io.javalin.config.RoutesConfig r, HandlerType method, String path, Role role, Handler h) {
        routes.add(new RouteInfo(method.name(), path, role));
        r.addHttpHandler(method, path, h, role);
    }

    // ---- authentication and authorization ----

    private void authorize(Context ctx) {
        Role required = Role.ANYONE;
        for (RouteRole rr : ctx.routeRoles()) if (rr instanceof Role role) required = role;
        Optional<WebUser> user = identify(ctx, required != Role.ANYONE);
        if (required == Role.ANYONE) {
            user.ifPresent(u -> ctx.attribute(USER, u));
            return;
        }
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"jangle-bank\"");
            if (wantsHtml(ctx)) {
                ctx.status(401).html(pages.login("Please log in."));
                ctx.skipRemainingHandlers();
                return;
            }
            throw new ApiError(401, "authentication required: a bearer token or a console session");
        }
        WebUser u = user.get();
        if (!u.role().allows(required)) {
            throw new ApiError(403, "user " + u.name() + " (" + u.role().label() + ") may not use this route; it needs "
                    + required.label());
        }
        boolean safe = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
        if (u.viaSession() && !safe) {
            String sent = ctx.header(CSRF_HEADER);
            if (sent == null && isForm(ctx)) sent = ctx.formParam("_csrf");
            if (!UserStore.constantTimeEquals(sent, u.csrf())) {
                throw new ApiError(403, "missing or wrong CSRF token (send the session's token in " + CSRF_HEADER + ")");
            }
        }
        if (ctx.path().equals("/api/stream")) {
            String accept = ctx.header("Accept");
            if (accept == null || !accept.contains("text/event-stream")) {
                throw new ApiError(406, "the event stream needs Accept: text/event-stream");
            }
            if (!stream.admit()) throw new ApiError(503, "too many event streams open; try again later");
            try {
                String last = ctx.header("Last-Event-ID");
                if (last == null) last = ctx.queryParam("lastEventId");
                ctx.attribute("jangle.after", stream.startAfter(last));
            } catch (ApiError e) {
                stream.release();
                throw e;
            }
        }
        ctx.attribute(USER, u);
    }

    /** The caller: a bearer token wins over a cookie. A wrong token counts as a failed login. */
    private Optional<WebUser> identify(Context ctx, boolean needed) {
        String auth = ctx.header("Authorization");
        if (auth != null) {
            if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ApiError(401, "Authorization must be 'Bearer <token>'");
            }
            String client = ctx.ip();
            long wait = limiter.blockedFor(client);
            if (wait > 0) {
                ctx.header("Retry-After", String.valueOf(wait));
                throw new ApiError(429, "too many failed logins from this address; try again in " + wait + " s");
            }
            Optional<WebUser> u = users.authenticate(auth.substring(7).strip());
            if (u.isEmpty()) {
                limiter.failed(client);
                throw new ApiError(401, "the bearer token is not valid");
            }
            return u;
        }
        return current(ctx);
    }

    /** The cookie session's user, as long as that user still exists and with its current role. */
    private Optional<WebUser> current(Context ctx) {
        String id = ctx.cookie(SESSION_COOKIE);
        Optional<WebUser> session = sessions.find(id);
        if (session.isEmpty()) return session;
        WebUser u = session.get();
        Optional<Role> now = users.role(u.name());
        if (now.isEmpty()) {
            sessions.close(id);
            return Optional.empty();
        }
        return Optional.of(new WebUser(u.name(), now.get(), u.csrf()));
    }

    private static WebUser user(Context ctx) {
        WebUser u = ctx.attribute(USER);
        if (u == null) throw new ApiError(401, "authentication required");
        return u;
    }

    private void login(Context ctx) {
        String client = ctx.ip();
        long wait = limiter.blockedFor(client);
        if (wait > 0) {
            ctx.header("Retry-After", String.valueOf(wait));
            ctx.status(429).html(pages.login("Too many failed logins. Try again in " + wait + " seconds."));
            return;
        }
        if (!isForm(ctx)) throw new ApiError(415, "the login form must be application/x-www-form-urlencoded");
        Optional<WebUser> u = users.login(ctx.formParam("name"), ctx.formParam("token"));
        if (u.isEmpty()) {
            limiter.failed(client);
            LOG.atWarn().addKeyValue("point", "web.login-failed").addKeyValue("client", client).log("failed login");
            ctx.status(401).html(pages.login("Wrong name or token."));
            return;
        }
        String id = sessions.open(u.get());
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + id + "; Path=/; Max-Age=" + sessions.lifetimeSeconds()
                + "; HttpOnly; SameSite=Strict" + (options.secureCookies() ? "; Secure" : ""));
        LOG.atInfo().addKeyValue("point", "web.login").addKeyValue("user", u.get().name()).log("console login");
        ctx.redirect("/console/accounts", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        sessions.close(ctx.cookie(SESSION_COOKIE));
        ctx.header("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (options.secureCookies() ? "; Secure" : ""));
        ctx.redirect("/login", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    /** The console's own identity and CSRF token (for its script; a bearer caller gets no token). */
    private void session(Context ctx) {
        WebUser u = user(ctx);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", u.name());
        doc.put("role", u.role().label());
        doc.put("csrf", u.csrf());
        BankApi.json(ctx, 200, facts.json(doc));
    }

    private static boolean isForm(Context ctx) {
        String ct = ctx.contentType();
        return ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    private static boolean wantsHtml(Context ctx) {
        String accept = ctx.header("Accept");
        return ctx.path().startsWith("/console/") || (accept != null && accept.contains("text/html")
                && !ctx.path().startsWith("/api/"));
    }

    private void error(Context ctx, int status, String message, String field) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("error", message);
        if (field != null) doc.put("field", field);
        BankApi.json(ctx, status, facts.json(doc));
    }

    /** A classpath resource of the console, read once. */
    private String resource(String name) {
        return resources.computeIfAbsent(name, WebServer::readResource);
    }

    static String readResource(String name) {
        try (InputStream in = WebServer.class.getClassLoader().getResourceAsStream("jangle/banking/web/" + name)) {
            if (in == null) throw new IllegalStateException("missing resource jangle/banking/web/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
