package jangle.banking.app.split;

import jangle.ConfigurationException;
import jangle.banking.app.BankingConfig;
import jangle.kafka.KafkaSettings;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one node of the split deployment until stopped:
 * {@code java -cp jangle-bank.jar jangle.banking.app.split.SplitMain command|relay|worker}. {@code command} takes
 * commands only, {@code relay} is a command node that also publishes, {@code worker} consumes. The database comes
 * from {@code JANGLE_DB_URL} / {@code _USER} / {@code _PASSWORD}, Kafka from {@code JANGLE_KAFKA_*}.
 */
public final class SplitMain {
    private SplitMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String role = args.length == 0 ? "" : args[0].toLowerCase(Locale.ROOT);
        if (!role.equals("command") && !role.equals("relay") && !role.equals("worker")) {
            System.err.println("usage: SplitMain command|relay|worker   (JANGLE_DB_URL, JANGLE_KAFKA_BOOTSTRAP, ...)");
            System.exit(2);
        }
        BankingConfig config = BankingConfig.defaults();
        KafkaSettings kafka;
        try {
            kafka = KafkaSettings.fromEnvironment(System.getenv());
        } catch (ConfigurationException e) {
            System.err.println("jangle-bank " + role + ": " + String.join("; ", e.problems()));
            System.exit(2);
            return;
        }
        SplitNode node = SplitNode.start(role.equals("worker") ? SplitNode.Role.WORKER : SplitNode.Role.COMMAND,
                config, kafka, role.equals("relay"));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stop.countDown();
        }));
        System.out.println("jangle-bank " + role + " node running on " + config.describeStore() + " and Kafka "
                + kafka.bootstrapServers() + " topic " + kafka.topic());
        stop.await();
    }
}
