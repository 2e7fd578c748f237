package jangle.banking.app.reliability;

import jangle.RetriesExhaustedException;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.banking.app.testsupport.OrderCheck;
import jangle.test.EmbeddedPg;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live order (issue item 10, D17, D18): six threads send commands on one hot account (and a second one it trades
 * with) while the processors run; {@link OrderCheck} sets {@code balance := event.balance} only for the next version,
 * so any event handled out of its account's order, or twice, is recorded. Its rows must equal the feed's, and the hot
 * account's balance the aggregate's.
 */
@Tag("D17")
@Tag("D18")
class LiveOrderTest {
    private static final int THREADS = 6;
    private static final int PER_THREAD = 80;

    @TempDir
    Path dir;

    @Test
    @Tag("D17")
    @Tag("D18")
    @DisplayName("D17 D18: one hot account under 6 sender threads: every version once, in order, final balance equal "
            + "(SQLite)")
    void sqlite() throws Exception {
        hotAccount(BankingConfig.sqlite(dir.resolve("order.db")));
    }

    @Test
    @Tag("D17")
    @Tag("D18")
    @DisplayName("D17 D18: one hot account under 6 sender threads: every version once, in order, final balance equal "
            + "(PostgreSQL)")
    void postgres() throws Exception {
        hotAccount(BankingConfig.database(EmbeddedPg.newDatabaseUrl(), "postgres", "postgres"));
    }

    private static void hotAccount(BankingConfig config) throws Exception {
        OrderCheck check = new OrderCheck();
        try (BankingApplication app = BankingApplication.open(config, b -> b.projection(check))) {
            check.bind(app.database());
            app.start();
            String hot = app.jangle().send(new CreateAccount("Hot account", new BigDecimal("500.00"), null))
                    .acceptedData(String.class);
            String other = app.jangle().send(new CreateAccount("Other account", new BigDecimal("500.00"), null))
                    .acceptedData(String.class);
            AtomicInteger accepted = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Random random = new Random(31L * t + 7);
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < PER_THREAD; i++) {
                            BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(2_000), 2);
                            var command = switch (random.nextInt(4)) {
                                case 0 -> new DepositFunds(hot, amount, null);
                                case 1 -> new WithdrawFunds(hot, amount, null);
                                case 2 -> new Transfer(hot, other, amount, null);
                                default -> new Transfer(other, hot, amount, null);
                            };
                            try {
                                if (app.jangle().send(command).isAccepted()) accepted.incrementAndGet();
                            } catch (RetriesExhaustedException e) {
                                // the hot account's contention: the command was not committed
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get(5, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            assertThat(accepted.get()).as("commands committed on the hot account").isGreaterThan(THREADS * PER_THREAD / 4);
            // the mediator's credits and rollbacks follow; wait until every processor has handled the whole feed
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long head;
            do {
                head = app.jangle().stores().events().lastPosition();
                assertThat(app.awaitProcessors(head, Duration.ofSeconds(60))).as("processors caught up").isTrue();
            } while (head != app.jangle().stores().events().lastPosition() && System.nanoTime() < deadline);

            assertThat(check.violations()).as("events out of order or handled twice").isEmpty();
            var expected = OrderCheck.expected(CrashRecoveryTest.allEvents(app));
            assertThat(check.rows()).isEqualTo(expected);
            long aggregateBalance = jangle.banking.Money.toCents(
                    app.queries().accountSummary(hot).orElseThrow().balance());
            assertThat(check.rows().get(hot).get(1)).as("hot account: projection balance == aggregate balance")
                    .isEqualTo(expected.get(hot).get(1)).isEqualTo(aggregateBalance);
            assertThat(app.queries().moneyTotals().conserved()).isTrue();
        }
    }
}
