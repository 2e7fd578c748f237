package jangle.banking.app;

import jangle.banking.AccountsList;
import jangle.test.EmbeddedPg;
import jangle.banking.app.views.ViewTables;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The same application on PostgreSQL (T11): the demo story, restart, and replay verification in a scratch schema. */
class PostgresBankingApplicationTest {
    static BankingConfig config(String url) {
        return BankingConfig.database(url, "postgres", "postgres").withEnvironment(Map.of());
    }

    @Test
    @Tag("T11")
    @DisplayName("T11, §11: the demo story 1-23 on PostgreSQL; replay --verify (triple-shuffled) finds no difference")
    void demoOnPostgres() {
        String url = EmbeddedPg.newDatabaseUrl();
        try (BankingApplication app = BankingApplication.open(config(url))) {
            DemoStoryTest.runAndCheck(app);
            assertThat(app.verifyReplay(null)).isEmpty();
            assertThat(app.verifyReplay(42L)).isEmpty();
        }
        try (BankingApplication again = BankingApplication.open(config(url))) {
            assertThat(again.storeHasEvents()).isTrue();
            assertThat(again.jangle().query(new AccountsList())).hasSize(1);
        }
    }

    @Test
    @DisplayName("cli.md §5.2 on PostgreSQL: a tampered live row is reported, the scratch schema is dropped, replay repairs it")
    void verifyAndReplayOnPostgres() {
        try (BankingApplication app = BankingApplication.open(config(EmbeddedPg.newDatabaseUrl()))) {
            app.start();
            BankingApplicationTest.someHistory(app);
            app.database().inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE bank_summary SET is_deleted = 1 WHERE account_id = '000001'");
                }
                return null;
            });
            List<RowDifference> diffs = app.verifyReplay(9L);
            assertThat(diffs).extracting(RowDifference::table, RowDifference::key)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("bank_summary", "000001"));
            assertThat(diffs.getFirst().live()).contains("is_deleted=1");
            assertThat(diffs.getFirst().rebuilt()).contains("is_deleted=0");
            long scratchSchemas = app.database().read(c -> {
                try (Statement s = c.createStatement();
                     var rs = s.executeQuery("SELECT count(*) FROM information_schema.schemata "
                             + "WHERE schema_name LIKE 'jangle_verify_%'")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(scratchSchemas).isZero();
            Map<String, List<List<Object>>> tampered = ViewTables.dump(app.database());
            app.replay(null);
            assertThat(app.verifyReplay(null)).isEmpty();
            assertThat(ViewTables.dump(app.database())).isNotEqualTo(tampered);
        }
    }

    @Test
    @Tag("D22")
    @DisplayName("D22: the bank's processors linger 5 ms on PostgreSQL unless JANGLE_PROCESSOR_BATCH_LINGER says "
            + "otherwise, and not at all on SQLite")
    void lingerOnPostgresOnly() throws Exception {
        String url = EmbeddedPg.newDatabaseUrl();
        try (BankingApplication app = BankingApplication.open(config(url))) {
            assertThat(app.jangle().settings().processorBatchLinger()).isEqualTo(Duration.ofMillis(5));
        }
        try (BankingApplication app = BankingApplication.open(BankingConfig.database(url, "postgres", "postgres")
                .withEnvironment(Map.of("JANGLE_PROCESSOR_BATCH_LINGER", "0")))) {
            assertThat(app.jangle().settings().processorBatchLinger()).isZero();
        }
        var dir = Files.createTempDirectory("linger");
        try (BankingApplication app = BankingApplication.open(BankingConfig.sqlite(dir.resolve("bank.db"))
                .withEnvironment(Map.of()))) {
            assertThat(app.jangle().settings().processorBatchLinger()).isZero();
        }
    }
}
