package jangle.banking.app.split;

import jangle.banking.AcceptRequest;
import jangle.banking.AccountListItem;
import jangle.banking.AccountsList;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Request;
import jangle.banking.Transfer;
import jangle.banking.app.BankingConfig;
import jangle.test.EmbeddedPg;
import jangle.kafka.KafkaSettings;
import jangle.kafka.TestBroker;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The split deployment end to end: two command nodes (one relaying to Kafka) and one worker node on one real
 * PostgreSQL and one real KRaft broker. Commands go to both command nodes; the worker builds the read models and
 * runs the transfer mediation from Kafka; the mediator's credits come back through the relay.
 */
class SplitDeploymentTest {
    @TempDir
    Path dir;

    @Test
    @Tag("KF9")
    @DisplayName("KF9: split deployment — command nodes write PostgreSQL and publish, a worker consumes: mediation completes, money is conserved, read models equal a fresh replay")
    void commandNodesAndWorker() throws Exception {
        String url = EmbeddedPg.newDatabaseUrl();
        BankingConfig config = BankingConfig.database(url, "postgres", "postgres").withEnvironment(Map.of());
        try (TestBroker broker = TestBroker.start(dir)) {
            KafkaSettings kafka = kafka(broker);
            try (SplitNode relay = SplitNode.start(SplitNode.Role.COMMAND, config, kafka, true);
                 SplitNode command = SplitNode.start(SplitNode.Role.COMMAND, config, kafka, false);
                 SplitNode worker = SplitNode.start(SplitNode.Role.WORKER, config, kafka, false)) {
                String a = relay.app().jangle().send(new CreateAccount("Ada Lovelace", new BigDecimal("100"), null))
                        .acceptedData(String.class);
                String b = command.app().jangle().send(new CreateAccount("Bob Hopper", new BigDecimal("50"), null))
                        .acceptedData(String.class);
                assertThat(command.app().jangle().send(new DepositFunds(a, new BigDecimal("50.50"), null)).isAccepted())
                        .isTrue();
                assertThat(relay.app().jangle().send(new Transfer(a, b, new BigDecimal("19"), null)).isAccepted())
                        .isTrue();
                assertThat(command.app().jangle().send(new Transfer(b, a, new BigDecimal("4.25"), null)).isAccepted())
                        .isTrue();
                assertThat(relay.app().jangle().send(new Transfer(a, "999999", new BigDecimal("1"), null))
                        .isAccepted()).isTrue();

                Map<String, BigDecimal> expected = Map.of(a, new BigDecimal("135.75"), b, new BigDecimal("64.75"));
                Map<String, BigDecimal> balances = awaitBalances(worker, expected);
                assertThat(balances).as("balances after mediation through Kafka").isEqualTo(strip(expected));
                assertThat(relay.app().pendingDeliveries()).as("no delivery rows: Kafka carries the events").isZero();
                assertThat(worker.app().verifyReplay(7L)).as("read models equal a fresh replay").isEmpty();
            }
        }
    }

    @Test
    @Tag("KF6")
    @Tag("KF9")
    @DisplayName("KF6, KF9: a worker JVM (SplitMain worker) killed with SIGKILL mid-stream and restarted beside a second worker: every transfer and accepted request is credited once, no saga is left open, money is conserved, read models equal a fresh replay")
    void workerKilledMidStream() throws Exception {
        String url = EmbeddedPg.newDatabaseUrl();
        BankingConfig config = BankingConfig.database(url, "postgres", "postgres").withEnvironment(Map.of());
        try (TestBroker broker = TestBroker.start(dir)) {
            KafkaSettings kafka = kafka(broker);
            Map<String, String> env = Map.of("JANGLE_DB_URL", url, "JANGLE_DB_USER", "postgres",
                    "JANGLE_DB_PASSWORD", "postgres", "JANGLE_KAFKA_BOOTSTRAP", broker.bootstrap(),
                    "JANGLE_KAFKA_TOPIC", kafka.topic(), "JANGLE_KAFKA_GROUP", kafka.group(),
                    "JANGLE_KAFKA_PARTITIONS", "3", "JANGLE_KAFKA_POLL_INTERVAL", "20ms",
                    "JANGLE_KAFKA_SESSION_TIMEOUT", "6s");
            try (SplitNode relay = SplitNode.start(SplitNode.Role.COMMAND, config, kafka, true);
                 SplitNode worker = SplitNode.start(SplitNode.Role.WORKER, config, kafka, false)) {
                Process child = worker(env);
                try {
                    List<String> ids = new ArrayList<>();
                    Map<String, BigDecimal> expected = new HashMap<>();
                    for (int i = 0; i < 4; i++) {
                        String id = relay.app().jangle().send(new CreateAccount("Customer " + i,
                                new BigDecimal("1000"), null)).acceptedData(String.class);
                        ids.add(id);
                        expected.put(id, new BigDecimal("1000"));
                    }
                    java.util.Random random = new Random(6);
                    for (int i = 0; i < 60; i++) {
                        if (i == 20) child.destroyForcibly().waitFor(); // SIGKILL mid-stream
                        if (i == 40) child = worker(env);
                        String from = ids.get(random.nextInt(4));
                        String to = ids.get((ids.indexOf(from) + 1 + random.nextInt(3)) % 4);
                        BigDecimal amount = new BigDecimal(1 + random.nextInt(20) + ".50");
                        if (i % 15 == 5) { // a Request saga whose steps run on either worker (one of them killed)
                            Request request = new Request(to, from, amount, null);
                            assertThat(relay.app().jangle().send(request).isAccepted()).isTrue();
                            awaitReceived(worker, from, request.transactionId());
                            assertThat(relay.app().jangle().send(new AcceptRequest(from, request.transactionId()))
                                    .isAccepted()).isTrue();
                        } else {
                            assertThat(relay.app().jangle().send(new Transfer(from, to, amount, null)).isAccepted())
                                    .isTrue();
                        }
                        expected.merge(from, amount.negate(), BigDecimal::add);
                        expected.merge(to, amount, BigDecimal::add);
                    }
                    Map<String, BigDecimal> balances = awaitBalances(worker, expected);
                    assertThat(balances).as("each transfer debited and credited once").isEqualTo(strip(expected));
                    assertThat(balances.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add))
                            .as("money conserved").isEqualByComparingTo("4000");
                    assertThat(worker.app().verifyReplay(11L)).as("read models equal a fresh replay").isEmpty();
                    assertThat(worker.app().jangle().operations().sagas(false, 100)).as("no Request saga left open")
                            .isEmpty();
                } finally {
                    child.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** A worker node in its own JVM, started through SplitMain with the environment only. */
    private Process worker(Map<String, String> env) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path log = dir.resolve("worker-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                SplitMain.class.getName(), "worker").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(Files.exists(log) && Files.readString(log).contains("node running"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("worker did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return p;
    }

    private static KafkaSettings kafka(TestBroker broker) {
        return KafkaSettings.builder().bootstrapServers(broker.bootstrap()).topic("bank.events")
                .group("bank-workers").partitions(3).pollInterval(Duration.ofMillis(20))
                .sessionTimeout(Duration.ofSeconds(6)).build(); // the broker's minimum: a killed worker's share moves soon
    }

    /** Polls the read model (up to 90 s) until the balances equal {@code expected}; returns the last seen. */
    private static Map<String, BigDecimal> awaitBalances(SplitNode node, Map<String, BigDecimal> expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Map<String, BigDecimal> balances = Map.of();
        while (System.nanoTime() < deadline) {
            List<AccountListItem> accounts = node.app().jangle().query(new AccountsList());
            balances = accounts.stream().collect(Collectors.toMap(AccountListItem::accountId,
                    i -> i.balance().stripTrailingZeros()));
            if (balances.equals(strip(expected))) break;
            Thread.sleep(50);
        }
        return balances;
    }

    /** Waits (up to 90 s) until the funding account's read model lists the request as received. */
    private static void awaitReceived(SplitNode node, String funding, String tx) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        // the worker's read model may not even have the account yet: it follows the topic
        while (node.app().queries().accountSummary(funding).map(s -> s.pendingRequests().stream()
                .noneMatch(p -> p.transactionId().equals(tx))).orElse(true)) {
            assertThat(System.nanoTime()).as("request %s received by %s", tx, funding).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static Map<String, BigDecimal> strip(Map<String, BigDecimal> m) {
        return m.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stripTrailingZeros()));
    }
}
