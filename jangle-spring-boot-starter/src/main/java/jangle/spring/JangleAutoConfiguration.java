package jangle.spring;

import jangle.ConfigurationException;
import jangle.Jangle;
import jangle.JangleBuilder;
import jangle.Projection;
import jangle.Telemetry;
import jangle.jdbc.JdbcDatabase;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the application's one {@link Jangle} (CR1) from the context: every {@link JangleRegistration} and
 * {@link Projection} bean, then every {@link JangleCustomizer}, the {@code jangle.*} properties, a {@link Clock} and a
 * {@link Telemetry} bean when there is one, and the store chosen by {@code jangle.store} (see {@link JangleStores}).
 * A missing store, an empty application or any problem {@code build()} finds stops the context at start-up with the
 * whole list (CR2). Each bean here backs off when the application declares its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@EnableConfigurationProperties(JangleProperties.class)
public class JangleAutoConfiguration {
    /** The processors' batch linger on PostgreSQL unless {@code jangle.processor-batch-linger} or the variable is set. */
    static final java.time.Duration POSTGRES_LINGER = java.time.Duration.ofMillis(5);
    private static final String LINGER_VARIABLE = jangle.Settings.ENVIRONMENT_VARIABLES.get("processorBatchLinger");

    /** The JDBC store; closed by the context after the {@code Jangle} built on it. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @Conditional(PersistentStore.class)
    public JdbcDatabase jangleDatabase(JangleProperties properties, ObjectProvider<DataSource> dataSources) {
        return JangleStores.open(properties, dataSources.getIfUnique());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Jangle jangle(JangleProperties properties, ObjectProvider<JdbcDatabase> database,
                         ObjectProvider<JangleRegistration> registrations, ObjectProvider<Projection<?>> projections,
                         ObjectProvider<JangleCustomizer> customizers, ObjectProvider<Telemetry> telemetry,
                         ObjectProvider<Clock> clock) {
        JangleBuilder builder = Jangle.builder();
        clock.ifUnique(builder::clock);
        telemetry.ifUnique(builder::telemetry);
        if (properties.store() != JangleProperties.Store.MEMORY) {
            JdbcDatabase db = database.getIfUnique();
            if (db == null) {
                throw new ConfigurationException("jangle.store=" + properties.store().name().toLowerCase()
                        + " needs one JdbcDatabase bean; none (or several) found");
            }
            builder.stores(db.stores());
            if (db.dialect() == jangle.jdbc.SqlDialect.POSTGRESQL && properties.processorBatchLinger() == null
                    && System.getenv(LINGER_VARIABLE) == null) {
                // there every processor commit is a round trip and a flush: 5 ms batches need far fewer of them under
                // load (D22; measured with the bank, docs/benchmarks.md); the property or the variable decides when set
                builder.processorBatchLinger(POSTGRES_LINGER);
            }
        }
        applySettings(properties, builder);
        AtomicInteger parts = new AtomicInteger();
        registrations.orderedStream().forEach(r -> {
            r.register(builder);
            parts.incrementAndGet();
        });
        projections.orderedStream().forEach(p -> {
            builder.projection(p);
            parts.incrementAndGet();
        });
        customizers.orderedStream().forEach(c -> {
            c.customize(builder);
            parts.incrementAndGet();
        });
        if (parts.get() == 0) {
            throw new ConfigurationException("Jangle found nothing to run: declare JangleRegistration beans "
                    + "(aggregates, sagas, reactors, query handlers), Projection beans, or a JangleCustomizer bean "
                    + "that registers the command and event families");
        }
        return builder.build();
    }

    /** Starts dispatch and the daemons when the context has started, stops them first when it closes. */
    @Bean
    @ConditionalOnMissingBean
    public JangleLifecycle jangleLifecycle(Jangle jangle, JangleProperties properties) {
        return new JangleLifecycle(jangle, properties.autoStartup());
    }

    private static void applySettings(JangleProperties p, JangleBuilder b) {
        if (p.batchSize() != null) b.batchSize(p.batchSize());
        if (p.processorSegments() != null) b.processorSegments(p.processorSegments());
        if (p.processorBatchSize() != null) b.processorBatchSize(p.processorBatchSize());
        if (p.processorBatchLinger() != null) b.processorBatchLinger(p.processorBatchLinger());
        if (p.handlerAttempts() != null) b.handlerAttempts(p.handlerAttempts());
        if (p.replayBatchSize() != null) b.replayBatchSize(p.replayBatchSize());
        if (p.aggregateCacheSize() != null) b.aggregateCacheSize(p.aggregateCacheSize());
        if (p.commandMaxAttempts() != null) b.commandMaxAttempts(p.commandMaxAttempts());
        if (p.deadLetterAttempts() != null) b.deadLetterAttempts(p.deadLetterAttempts());
        if (p.failedEventsRetryInterval() != null) b.failedEventsRetryInterval(p.failedEventsRetryInterval());
        if (p.failedEventsMaxAge() != null) b.failedEventsMaxAge(p.failedEventsMaxAge());
        if (p.sagaRetryInterval() != null) b.sagaRetryInterval(p.sagaRetryInterval());
        if (p.commandSharing() != null) b.commandSharing(p.commandSharing());
        if (p.commandSharingLinger() != null) b.commandSharingLinger(p.commandSharingLinger());
        if (p.commandSharingWindow() != null) b.commandSharingWindow(p.commandSharingWindow());
        if (p.nodeId() != null) b.setting("nodeId", p.nodeId());
    }

    /** True unless {@code jangle.store=memory}. */
    static final class PersistentStore extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String store = context.getEnvironment().getProperty("jangle.store", "auto").trim();
            return store.equalsIgnoreCase("memory")
                    ? ConditionOutcome.noMatch("jangle.store=memory")
                    : ConditionOutcome.match("jangle.store=" + store);
        }
    }
}
