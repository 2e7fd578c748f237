package jangle.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import jangle.CommandResponse;
import jangle.Jangle;
import jangle.Telemetry;
import jangle.banking.CreateAccount;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;
import jangle.observability.JangleObservability;
import jangle.test.EmbeddedPg;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration on real stores (a SQLite file, the embedded PostgreSQL): beans become the application,
 * properties its settings, the context its lifecycle; Actuator health and Micrometer see it.
 */
class JangleStarterTest {
    /** Bounds a real hang only: a command's projection normally catches up in milliseconds. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    static final ApplicationContextRunner RUNNER = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JangleAutoConfiguration.class,
                    JangleHealthAutoConfiguration.class, JangleObservabilityAutoConfiguration.class))
            .withUserConfiguration(StarterBank.class);

    @TempDir
    Path dir;

    /** Sends a command, then reads the Projection bean through the query bean once it has seen the command. */
    private static void openAccountAndReadIt(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        Jangle jangle = context.getBean(Jangle.class);
        assertThat(context.getBean(JangleLifecycle.class).isRunning()).isTrue();
        CommandResponse response = jangle.send(new CreateAccount("Ada Lovelace", new BigDecimal("100.00"), "t-1"));
        assertThat(response.isAccepted()).as("%s", response).isTrue();
        String accountId = response.acceptedData(String.class);
        Optional<String> name = jangle.query(new StarterBank.NameOf(accountId),
                new jangle.ConsistencyToken(accountId, 0, response.token().position()), WAIT);
        assertThat(name).contains("Ada Lovelace");
    }

    @Test
    @Tag("CR4")
    void sqliteFileFromPropertyAndLifecycleTiedToTheContext() {
        Path file = dir.resolve("data/bank.db");
        AtomicReference<JangleLifecycle> lifecycle = new AtomicReference<>();
        RUNNER.withPropertyValues("jangle.sqlite.path=" + file).run(context -> {
            openAccountAndReadIt(context);
            assertThat(context.getBean(JdbcDatabase.class).dialect()).isEqualTo(SqlDialect.SQLITE);
            assertThat(file).exists();
            lifecycle.set(context.getBean(JangleLifecycle.class));
        });
        assertThat(lifecycle.get().isRunning()).as("stopped with the context").isFalse();
        // the events outlive the context: a new one on the same file finds the account and numbers the next after it
        RUNNER.withPropertyValues("jangle.sqlite.path=" + file).run(context -> {
            assertThat(context).hasNotFailed();
            CommandResponse second = context.getBean(Jangle.class)
                    .send(new CreateAccount("Grace Hopper", null, "t-2"));
            assertThat(second.acceptedData(String.class)).isEqualTo("000002");
        });
    }

    @Test
    @Tag("CR4")
    void workLeftPendingByOneContextIsDoneByTheNext() {
        Path file = dir.resolve("bank.db");
        AtomicReference<String> accountId = new AtomicReference<>();
        RUNNER.withPropertyValues("jangle.sqlite.path=" + file, "jangle.auto-startup=false").run(context -> {
            CommandResponse r = context.getBean(Jangle.class).send(new CreateAccount("Ada Lovelace", null, "t-1"));
            assertThat(r.isAccepted()).isTrue();
            accountId.set(r.acceptedData(String.class));
            assertThat(context.getBean(StarterBank.Names.class).byId).as("not started: nothing dispatched").isEmpty();
        });
        RUNNER.withPropertyValues("jangle.sqlite.path=" + file).run(context -> {
            Jangle jangle = context.getBean(Jangle.class);
            long last = jangle.stores().events().lastPosition();
            assertThat(jangle.query(new StarterBank.NameOf(accountId.get()),
                    new jangle.ConsistencyToken(accountId.get(), 0, last), WAIT)).contains("Ada Lovelace");
        });
    }

    @Test
    void postgresqlFromTheContextsDataSource() {
        DataSource dataSource = EmbeddedPg.newDatabaseDataSource();
        RUNNER.withBean(DataSource.class, () -> dataSource).run(context -> {
            openAccountAndReadIt(context);
            assertThat(context.getBean(JdbcDatabase.class).dialect()).isEqualTo(SqlDialect.POSTGRESQL);
            // D22: on PostgreSQL the processors linger 5 ms unless told otherwise
            assertThat(context.getBean(Jangle.class).settings().processorBatchLinger())
                    .isEqualTo(Duration.ofMillis(5));
        });
        RUNNER.withBean(DataSource.class, () -> dataSource).withPropertyValues("jangle.processor-batch-linger=0ms")
                .run(context -> assertThat(context.getBean(Jangle.class).settings().processorBatchLinger()).isZero());
    }

    @Test
    void aSqlitePathWinsOverADataSourceUnderAuto() {
        DataSource dataSource = EmbeddedPg.newDatabaseDataSource();
        RUNNER.withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("jangle.sqlite.path=" + dir.resolve("bank.db"))
                .run(context -> assertThat(context.getBean(JdbcDatabase.class).dialect()).isEqualTo(SqlDialect.SQLITE));
    }

    @Test
    void propertiesBecomeSettings() {
        RUNNER.withPropertyValues("jangle.store=memory", "jangle.batch-size=7", "jangle.processor-segments=2",
                "jangle.saga-retry-interval=45s", "jangle.processor-batch-linger=20ms",
                "jangle.command-sharing=false", "jangle.command-sharing-linger=1ms",
                "jangle.command-sharing-window=50ms").run(context -> {
            assertThat(context).hasNotFailed();
            var settings = context.getBean(Jangle.class).settings();
            assertThat(settings.commandSharing()).isFalse();
            assertThat(settings.commandSharingLinger()).isEqualTo(Duration.ofMillis(1));
            assertThat(settings.commandSharingWindow()).isEqualTo(Duration.ofMillis(50));
            assertThat(settings.processorBatchLinger()).isEqualTo(Duration.ofMillis(20));
            assertThat(settings.batchSize()).isEqualTo(7);
            assertThat(settings.processorSegments()).isEqualTo(2);
            assertThat(settings.sagaRetryInterval()).isEqualTo(Duration.ofSeconds(45));
        });
    }

    @Test
    void autoStartupOffLeavesDispatchStopped() {
        RUNNER.withPropertyValues("jangle.store=memory", "jangle.auto-startup=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(JangleLifecycle.class).isRunning()).isFalse();
            assertThat(context.getBean(JangleHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void actuatorHealthFollowsJangleHealth() {
        RUNNER.withPropertyValues("jangle.store=memory").run(context -> {
            JangleHealthIndicator indicator = context.getBean(JangleHealthIndicator.class);
            Health up = indicator.health();
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails()).containsEntry("jangle", "UP").containsKeys("store", "dispatch");
            assertThat(up.getDetails().get("dispatch")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("status", "UP")
                    .containsEntry("probe", "LIVENESS");
            context.getBean(JangleLifecycle.class).stop();
            Health down = indicator.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails().get("dispatch")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("status", "DOWN");
        });
    }

    @Test
    void theHealthIndicatorCanBeSwitchedOff() {
        RUNNER.withPropertyValues("jangle.store=memory", "management.health.jangle.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JangleHealthIndicator.class));
    }

    @Test
    void micrometerAndOpenTelemetryBeansReachJangle() {
        RUNNER.withPropertyValues("jangle.store=memory")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(OpenTelemetry.class, OpenTelemetry::noop)
                .run(context -> {
                    assertThat(context.getBean(Telemetry.class)).isInstanceOf(JangleObservability.class);
                    context.getBean(Jangle.class).send(new CreateAccount("Ada Lovelace", null, "t-1"));
                    var timer = context.getBean(MeterRegistry.class).find("jangle.commands").timer();
                    assertThat(timer).isNotNull();
                    assertThat(timer.count()).isEqualTo(1);
                });
    }

    @Test
    void withoutObservabilityOrHealthOnTheClasspathThoseBeansAreAbsent() {
        RUNNER.withPropertyValues("jangle.store=memory")
                .withClassLoader(new FilteredClassLoader(JangleObservability.class,
                        org.springframework.boot.health.contributor.HealthIndicator.class))
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(Telemetry.class)
                            .doesNotHaveBean(JangleHealthIndicator.class).hasSingleBean(Jangle.class);
                });
    }

    @Test
    void theApplicationsOwnJangleBeanWins() {
        RUNNER.withPropertyValues("jangle.store=memory")
                .withBean("myJangle", Jangle.class, () -> Jangle.builder().build())
                .run(context -> assertThat(context.getBeansOfType(Jangle.class)).containsOnlyKeys("myJangle"));
    }
}
