package jangle.kafka;

import jangle.JangleException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates the event topic and its dead-letter topic when missing (an existing topic is left as it is). */
public final class KafkaTopics {
    private KafkaTopics() {
    }

    /**
     * Creates {@link KafkaSettings#topic()} with {@link KafkaSettings#partitions()} partitions and the dead-letter
     * topic with one, both with the configured replication factor. Waits up to 30 seconds.
     */
    public static void ensure(KafkaSettings settings) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers()))) {
            for (NewTopic t : List.of(
                    new NewTopic(settings.topic(), settings.partitions(), settings.replicationFactor()),
                    new NewTopic(settings.deadLetterTopic(), 1, settings.replicationFactor()))) {
                try {
                    admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new JangleException("cannot create Kafka topic " + t.name() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JangleException("interrupted while creating Kafka topics", e);
        } catch (TimeoutException e) {
            throw new JangleException("Kafka at " + settings.bootstrapServers() + " did not create the topics in 30 s", e);
        }
    }
}
