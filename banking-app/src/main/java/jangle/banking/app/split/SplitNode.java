package jangle.banking.app.split;

import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.json.JsonCodec;
import jangle.kafka.KafkaEventConsumer;
import jangle.kafka.KafkaEventPublisher;
import jangle.kafka.KafkaSettings;
import jangle.kafka.KafkaTopics;
import jangle.kafka.PublisherCursor;

/**
 * One node of the split deployment of Jangle Banking. Every node opens the same application on the same PostgreSQL
 * database (the event, snapshot and saga stores and the read-model tables), built {@code externallyDelivered()}:
 * commits write no delivery rows and no node dispatches locally; committed events travel through Kafka instead.
 *
 * <ul>
 *   <li>{@link Role#COMMAND}: takes commands ({@link #app()}{@code .jangle().send(...)}) and, when
 *   {@code publish} is true, relays the store's feed to the topic (run the publisher on one command node; a second
 *   one only adds duplicates). Its dispatcher and daemons are not started.</li>
 *   <li>{@link Role#WORKER}: consumes the topic in the consumer group and runs the read models ({@code bank-views}),
 *   the transfer mediator and the Request saga; starts the saga daemon (timeouts, retries). Commands its handlers
 *   send (credits, saga steps) commit to PostgreSQL and come back through the publisher.</li>
 * </ul>
 */
public final class SplitNode implements AutoCloseable {
    /** What a node does. */
    public enum Role { COMMAND, WORKER }

    private final BankingApplication app;
    private final AutoCloseable kafka;

    private SplitNode(BankingApplication app, AutoCloseable kafka) {
        this.app = app;
        this.kafka = kafka;
    }

    /** Opens the node and starts its Kafka side. The config should name a PostgreSQL database. */
    public static SplitNode start(Role role, BankingConfig config, KafkaSettings kafka, boolean publish) {
        BankingApplication app = BankingApplication.open(config, b -> b.externallyDelivered());
        try {
            KafkaTopics.ensure(kafka);
            AutoCloseable side;
            if (role == Role.COMMAND) {
                if (publish) {
                    var db = app.database();
                    KafkaEventPublisher publisher = new KafkaEventPublisher(app.jangle().stores().events(),
                            new JsonCodec(app.jangle().types()), kafka, PublisherCursor.jdbc(
                                    w -> db.inTransaction(c -> { w.run(c); return null; }), kafka.topic()));
                    publisher.start();
                    io.micrometer.core.instrument.Gauge.builder("jangle.kafka.relay.lag", publisher,
                                    KafkaEventPublisher::lag).description("Committed events not yet relayed to Kafka")
                            .baseUnit("events").strongReference(true).register(app.observability().registry());
                    side = publisher;
                } else {
                    side = () -> { };
                }
            } else {
                app.start();
                KafkaEventConsumer consumer = new KafkaEventConsumer(app.jangle(), kafka);
                consumer.start();
                var registry = app.observability().registry();
                io.micrometer.core.instrument.Gauge.builder("jangle.kafka.consumer.lag", consumer,
                                KafkaEventConsumer::lag).description("Records not yet fetched from the assigned partitions")
                        .baseUnit("records").strongReference(true).register(registry);
                io.micrometer.core.instrument.FunctionCounter.builder("jangle.kafka.consumer.handled", consumer,
                        KafkaEventConsumer::handledCount).description("Records whose handlers all succeeded")
                        .register(registry);
                io.micrometer.core.instrument.FunctionCounter.builder("jangle.kafka.consumer.dead", consumer,
                        KafkaEventConsumer::deadLetterCount).description("(record, handler) pairs sent to the DLQ")
                        .register(registry);
                side = consumer;
            }
            return new SplitNode(app, side);
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    public BankingApplication app() {
        return app;
    }

    /** Stops the Kafka side first (no half-handled record is committed), then the application. */
    @Override
    public void close() {
        try {
            kafka.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the Kafka side failed", e);
        } finally {
            app.close();
        }
    }
}
