package jangle.banking.app.web;

import jangle.CommandResponse;
import jangle.SendOptions;
import jangle.banking.DepositFunds;
import jangle.banking.app.cli.CommandFacts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded loopback load, the same deposits four ways side by side on one SQLite file: through the library
 * ({@code send} only), through the library the way the server handles a request ({@code send}, wait for the chain to
 * settle, read the new balance), and through HTTP with a bearer token, without and with an {@code Idempotency-Key}
 * (which adds the write of the stored answer). It prints commands/s for each and the ratios;
 * it asserts only that every acknowledged deposit is in the balances (no timing is judged here). Size with
 * {@code -Dweb.load.commands=N} (per way, default 600) and {@code -Dweb.load.threads=T} (default 4).
 */
class WebLoadComparisonTest {
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
    void httpBesideTheLibrary() throws Exception {
        int commands = Integer.getInteger("web.load.commands", 600);
        int threads = Integer.getInteger("web.load.threads", 4);
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < threads; i++) accounts.add(web.open("Load Account " + i, null));
        Duration wait = Duration.ofSeconds(30);

        Figures warmup = run("warm-up", Math.min(commands, 200), threads, accounts, (acc, i) ->
                web.app.jangle().send(new DepositFunds(acc, BigDecimal.ONE, null)).isAccepted());
        Figures library = run("library send", commands, threads, accounts, (acc, i) ->
                web.app.jangle().send(new DepositFunds(acc, BigDecimal.ONE, null)).isAccepted());
        Figures settled = run("library send + settle + read", commands, threads, accounts, (acc, i) -> {
            UUID correlation = UUID.randomUUID();
            DepositFunds c = new DepositFunds(acc, BigDecimal.ONE, null);
            CommandResponse r = web.app.jangle().send(c, SendOptions.NONE.withCorrelationId(correlation));
            CommandFacts.settle(web.app.jangle(), correlation, wait);
            return r.isAccepted() && CommandFacts.balanceAfter(web.app, acc, c.transactionId(), true) != null;
        });
        Figures httpWarmup = run("HTTP warm-up", Math.min(commands, 200), threads, accounts, (acc, i) ->
                web.post("/api/accounts/" + acc + "/deposits", web.teller, "{\"amount\":1}").status() == 200);
        Figures plain = run("HTTP POST, no key", commands, threads, accounts, (acc, i) ->
                web.post("/api/accounts/" + acc + "/deposits", web.teller, "{\"amount\":1}").status() == 200);
        Figures http = run("HTTP POST, Idempotency-Key", commands, threads, accounts, (acc, i) ->
                web.post("/api/accounts/" + acc + "/deposits", web.teller, "{\"amount\":1}",
                        "Idempotency-Key", "load-" + acc + "-" + i).status() == 200);

        System.out.println(String.format(Locale.ROOT, "web load (SQLite, %d threads, %d deposits per way):",
                threads, commands));
        for (Figures f : List.of(library, settled, plain, http)) System.out.println("  " + f.line());
        System.out.println(String.format(Locale.ROOT, "  HTTP (no key) / library send+settle+read: %.2f; "
                        + "HTTP (key) / library send+settle+read: %.2f; HTTP (key) / library send: %.2f",
                plain.perSecond() / settled.perSecond(), http.perSecond() / settled.perSecond(),
                http.perSecond() / library.perSecond()));

        // every acknowledged deposit is in the balances: nothing acknowledged was lost
        long acknowledged = warmup.ok() + httpWarmup.ok() + library.ok() + settled.ok() + plain.ok() + http.ok();
        assertThat(acknowledged).isEqualTo(warmup.total() + httpWarmup.total() + 4L * commands);
        BigDecimal sum = BigDecimal.ZERO;
        for (String acc : accounts) {
            sum = sum.add(web.get("/api/accounts/" + acc + "?after=" + web.app.jangle().stores().events().lastPosition(),
                    web.teller).json().get("balance").decimalValue());
        }
        assertThat(sum).isEqualByComparingTo(BigDecimal.valueOf(acknowledged));
    }

    interface Call {
        boolean run(String account, int i) throws Exception;
    }

    record Figures(String name, long total, long ok, long nanos) {
        double perSecond() {
            return total / (nanos / 1e9);
        }

        String line() {
            return String.format(Locale.ROOT, "%-30s %6d commands in %6.2f s = %8.1f commands/s", name, total,
                    nanos / 1e9, perSecond());
        }
    }

    private static Figures run(String name, int commands, int threads, List<String> accounts, Call call)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong ok = new AtomicLong();
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String account = accounts.get(t);
            futures.add(pool.submit(() -> {
                long i;
                while ((i = next.getAndIncrement()) < commands) {
                    if (call.run(account, (int) i)) ok.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get(10, TimeUnit.MINUTES); // bounded: only a hang reaches it
        long nanos = System.nanoTime() - start;
        pool.shutdown();
        return new Figures(name, commands, ok.get(), nanos);
    }
}
