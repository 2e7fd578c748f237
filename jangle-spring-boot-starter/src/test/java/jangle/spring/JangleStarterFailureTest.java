package jangle.spring;

import jangle.ConfigurationException;
import jangle.StoreException;
import jangle.banking.BankCommand;
import jangle.banking.BankEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Start-up stops with a message that names what is missing; nothing half-built keeps running (CR2). */
@Tag("CR2")
class JangleStarterFailureTest {
    static final ApplicationContextRunner RUNNER = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JangleAutoConfiguration.class,
                    JangleHealthAutoConfiguration.class, JangleObservabilityAutoConfiguration.class));

    @TempDir
    Path dir;

    private static String failure(ApplicationContextRunner runner) {
        StringBuilder message = new StringBuilder();
        runner.run(context -> {
            assertThat(context).hasFailed();
            Throwable t = context.getStartupFailure();
            assertThat(t).hasRootCauseInstanceOf(ConfigurationException.class);
            Throwable root = t;
            while (root.getCause() != null) root = root.getCause();
            message.append(root.getMessage());
        });
        return message.toString();
    }

    @Test
    void noStoreAtAll() {
        assertThat(failure(RUNNER.withUserConfiguration(StarterBank.class)))
                .contains("Jangle has no store", "jangle.sqlite.path", "spring.datasource.url", "jangle.store=memory");
    }

    @Test
    void sqliteStoreWithoutAPath() {
        assertThat(failure(RUNNER.withUserConfiguration(StarterBank.class).withPropertyValues("jangle.store=sqlite")))
                .contains("jangle.store=sqlite needs jangle.sqlite.path");
    }

    @Test
    void postgresqlStoreWithoutADataSource() {
        assertThat(failure(RUNNER.withUserConfiguration(StarterBank.class)
                .withPropertyValues("jangle.store=postgresql")))
                .contains("jangle.store=postgresql needs one DataSource bean");
    }

    @Test
    void aDataSourceThatIsNotPostgresql() {
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + dir.resolve("other.db"));
        assertThat(failure(RUNNER.withUserConfiguration(StarterBank.class).withBean(DataSource.class, () -> sqlite)))
                .contains("the application's DataSource is SQLite", "PostgreSQL");
    }

    @Test
    void nothingToRun() {
        assertThat(failure(RUNNER.withPropertyValues("jangle.store=memory")))
                .contains("Jangle found nothing to run", "JangleRegistration", "JangleCustomizer");
    }

    @Test
    void aCommandFamilyWithoutItsAggregatesNamesEveryCommand() {
        String message = failure(RUNNER.withPropertyValues("jangle.store=memory")
                .withBean(JangleCustomizer.class, () -> b -> b.commands(BankCommand.class).events(BankEvent.class)));
        assertThat(message).contains("jangle.banking.CreateAccount has no aggregate",
                "jangle.banking.DepositFunds has no aggregate");
    }

    @Test
    void aBadPropertyIsNamed() {
        assertThat(failure(RUNNER.withUserConfiguration(StarterBank.class)
                .withPropertyValues("jangle.store=memory", "jangle.batch-size=0")))
                .contains("batchSize");
    }

    @Test
    void theFailureAnalyzerPrintsTheProblemsAndWhatToDo() {
        ConfigurationException problem = new ConfigurationException("command type X has no aggregate");
        FailureAnalysis analysis = new JangleFailureAnalyzer().analyze(new IllegalStateException("bean", problem));
        assertThat(analysis.getDescription()).contains("command type X has no aggregate");
        assertThat(analysis.getAction()).contains("JangleRegistration", "jangle.store");
    }

    @Test
    void anUnreachableDataSourceIsAStoreFault() {
        SQLiteDataSource broken = new SQLiteDataSource();
        broken.setUrl("jdbc:sqlite:" + dir.resolve("no/such/folder/x.db")); // SQLite does not create folders
        RUNNER.withUserConfiguration(StarterBank.class).withBean(DataSource.class, () -> broken).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(java.sql.SQLException.class);
            Throwable t = context.getStartupFailure();
            while (!(t instanceof StoreException) && t.getCause() != null) t = t.getCause();
            assertThat(t).isInstanceOf(StoreException.class);
        });
    }
}
