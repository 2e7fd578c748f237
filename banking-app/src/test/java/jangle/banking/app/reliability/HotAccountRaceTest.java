package jangle.banking.app.reliability;

import jangle.CommandResponse;
import jangle.EventRecord;
import jangle.banking.BankInvariants;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 5 §2: threads hammer three hot accounts on one SQLite file; the floor and the versions hold. */
class HotAccountRaceTest {
    private static final BigDecimal FLOOR = new BigDecimal("-100.00");

    @TempDir
    Path dir;

    @Test
    @Tag("H3")
    @Tag("W8")
    @Tag("W9")
    @DisplayName("W8 W9 H3: concurrent deposits, withdrawals and transfers on hot accounts never break the -100.00 floor")
    void floorHoldsUnderRaces() throws Exception {
        try (BankingApplication app = BankingApplication.open(BankingConfig.sqlite(dir.resolve("race.db")))) {
            app.start();
            List<String> hot = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hot.add(app.jangle().send(new CreateAccount("Hot holder " + i, new BigDecimal("200.00"), null))
                        .acceptedData(String.class));
            }
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger rejected = new AtomicInteger();
            AtomicInteger unclear = new AtomicInteger();
            int perThread = 60 * (int) Math.max(1, CrashRecoveryTest.soakMinutes() * 20);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < perThread; i++) {
                        String a = hot.get(random.nextInt(3));
                        String b = hot.get((hot.indexOf(a) + 1 + random.nextInt(2)) % 3);
                        BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(9_000), 2);
                        // deposits keep money flowing in, so a long (soak) run keeps racing at the floor instead
                        // of draining every account and turning into a stream of cheap rejections
                        CommandResponse r = switch (random.nextInt(5)) {
                            case 0 -> app.jangle().send(new DepositFunds(a, amount, null));
                            case 1, 2 -> app.jangle().send(new WithdrawFunds(a, amount, null));
                            default -> app.jangle().send(new Transfer(a, b, amount, null));
                        };
                        if (r.isAccepted()) accepted.incrementAndGet();
                        else if (r.rejectionReason() != null && !r.rejectionReason().isBlank()) rejected.incrementAndGet();
                        else unclear.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            pool.shutdown();
            CrashRecoveryTest.settle(app);

            assertThat(unclear.get()).as("every rejection carries a reason").isZero();
            assertThat(accepted.get() + rejected.get()).as("no command lost").isEqualTo(4 * perThread);
            List<EventRecord<?>> events = CrashRecoveryTest.allEvents(app);
            Map<String, Long> versions = new HashMap<>();
            for (int n = 1; n <= events.size(); n++) {
                EventRecord<?> e = events.get(n - 1);
                assertThat(e.version()).as("gapless %s", e.aggregateId())
                        .isEqualTo(versions.getOrDefault(e.aggregateId(), 0L) + 1);
                versions.put(e.aggregateId(), e.version());
            }
            // BankInvariants replays the feed in position order and checks each balance after every event, so a
            // balance below the floor in any committed prefix of the history is a problem of this report
            BankInvariants.Report report = BankInvariants.of(events);
            report.balances().forEach((acct, balance) ->
                    assertThat(balance).as("balance of %s", acct).isGreaterThanOrEqualTo(FLOOR));
            assertThat(report.holds()).as(report.describe()).isTrue();
            System.out.printf("races sqlite: accepted=%d rejected=%d events=%d%n", accepted.get(), rejected.get(),
                    events.size());
        }
    }
}
