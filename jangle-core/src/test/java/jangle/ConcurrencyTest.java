package jangle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 2's concurrency check: 8 threads send 10,000 withdraw/deposit commands each to ONE aggregate. Afterwards the
 * versions are gapless, the floor never broke in the committed history, and no command vanished.
 */
class ConcurrencyTest {
    static final int THREADS = 8;
    static final int PER_THREAD = 10_000;

    @Test
    @Tag("H1")
    @Tag("H2")
    @Tag("H3")
    @DisplayName("H1, H2, H3: 8 threads x 10,000 commands on one aggregate: gapless, floor intact, none lost")
    void hotAggregate() throws Exception {
        try (Jangle j = Jangle.builder().environment(Map.of()).commands(Bank.Cmd.class).events(Bank.Evt.class)
                .aggregate(Bank.Creator.class, Bank.Creator::new)
                .aggregate(Bank.Account.class, id -> new Bank.Account(id, 100))
                .build()) {
            String id = j.send(new Bank.Open("Hot")).acceptedData(String.class);
            LongAdder accepted = new LongAdder();
            LongAdder rejected = new LongAdder();
            LongAdder exhausted = new LongAdder();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final long seed = t;
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < PER_THREAD; i++) {
                        BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(30));
                        Command c = random.nextBoolean() ? new Bank.Deposit(id, amount) : new Bank.Withdraw(id, amount);
                        try {
                            CommandResponse r = j.send(c);
                            (r.isAccepted() ? accepted : rejected).increment();
                        } catch (RetriesExhaustedException e) {
                            exhausted.increment();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) f.get();
            pool.shutdown();

            long sent = (long) THREADS * PER_THREAD;
            System.out.printf("hot aggregate: accepted=%d rejected=%d exhausted=%d%n", accepted.sum(),
                    rejected.sum(), exhausted.sum());
            assertThat(accepted.sum() + rejected.sum() + exhausted.sum()).isEqualTo(sent);

            List<EventRecord<?>> history;
            try (var s = j.stores().events().read(id, 0)) {
                history = s.collect(Collectors.toList());
            }
            // one Opened event plus one event per accepted command: nothing vanished, nothing doubled
            assertThat(history).hasSize((int) accepted.sum() + 1);
            BigDecimal balance = BigDecimal.ZERO;
            for (int i = 0; i < history.size(); i++) {
                EventRecord<?> r = history.get(i);
                assertThat(r.version()).isEqualTo(i + 1);
                if (r.event() instanceof Bank.Deposited d) balance = balance.add(d.amount());
                if (r.event() instanceof Bank.Withdrawn w) balance = balance.subtract(w.amount());
                assertThat(balance).isGreaterThanOrEqualTo(Bank.FLOOR);
            }
            // the aggregate the handler rebuilds agrees with the sum of committed events
            AggregateHarness<Bank.Account> h = AggregateHarness.of(Bank.Account.class, Bank.Account::new,
                    j.clock());
            assertThat(h.rehydrate(id, history).balance()).isEqualByComparingTo(balance);
            // and the live application decides on the same balance: a withdrawal to exactly the floor succeeds
            BigDecimal toFloor = balance.subtract(Bank.FLOOR);
            if (toFloor.signum() > 0) {
                assertThat(j.send(new Bank.Withdraw(id, toFloor)).isAccepted()).isTrue();
            }
            assertThat(j.send(new Bank.Withdraw(id, new BigDecimal("0.01"))).rejectionReason()).isEqualTo("Insufficient funds");
        }
    }
}
