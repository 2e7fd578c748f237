package jangle.kafka;

import jangle.Jangle;
import jangle.json.JsonCodec;
import jangle.jdbc.JdbcDatabase;

import java.nio.file.Path;

/**
 * A child JVM for the crash tests: {@code publisher <bootstrap> <topic> <store.db>} relays the SQLite store's feed,
 * {@code consumer <bootstrap> <topic> <views.db>} feeds the "tallies" read model. Runs until killed.
 */
public final class KafkaNodeMain {
    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        KafkaSettings settings = KafkaSettings.builder().bootstrapServers(args[1]).topic(args[2]).group("crash-workers")
                .partitions(4).batchSize(50).pollInterval(java.time.Duration.ofMillis(20))
                .sessionTimeout(java.time.Duration.ofSeconds(6)) // the broker's minimum: a killed consumer's share moves soon
                .build();
        JdbcDatabase db = JdbcDatabase.sqlite(Path.of(args[3]));
        if (role.equals("publisher")) {
            Jangle jangle = Tally.register(Jangle.builder()).stores(db.stores()).build();
            KafkaEventPublisher publisher = new KafkaEventPublisher(jangle.stores().events(),
                    new JsonCodec(jangle.types()), settings,
                    PublisherCursor.jdbc(w -> db.inTransaction(c -> { w.run(c); return null; }), "crash-test"));
            publisher.start();
        } else {
            Jangle jangle = Tally.register(Jangle.builder()).externallyDelivered()
                    .projection(new Tally.Totals(db)).build();
            jangle.start();
            new KafkaEventConsumer(jangle, settings).start();
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
