package jangle.banking.app;

import jangle.banking.CreateAccount;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scripted story of banking.md §11, steps 1–23, through {@link BankingApplication} with dispatch started: every
 * step's response, events (type, stream, version, amount, balance, name) and balances, then the queries of steps 21
 * and 23 and conservation (step 22).
 */
class DemoStoryTest {
    @TempDir
    Path dir;

    /** Runs the story and checks the parts of the outcome every dialect must show. */
    static DemoStory.Outcome runAndCheck(BankingApplication app) {
        List<DemoStory.StepResult> heard = new ArrayList<>();
        DemoStory.Outcome outcome = new DemoStory().run(app, heard::add);
        assertThat(outcome.firstFailure()).as("first failing step").isEmpty();
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.steps()).hasSize(23);
        assertThat(heard).extracting(DemoStory.StepResult::number)
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 23).boxed().toList());

        DemoStory.StepResult step7 = outcome.steps().get(6);
        assertThat(step7.title()).isEqualTo("Transfer 20.00 from 000001 to 999999");
        assertThat(step7.lines()).containsExactly("  accepted",
                "  TransferDebited          000001 v3  amount 20.00  balance 30.50",
                "  TransferDebitRolledBack  000001 v4  amount 20.00  balance 50.50");
        assertThat(outcome.steps().get(3).lines()).containsExactly("  rejected: Insufficient funds");
        assertThat(outcome.steps().get(0).lines()).first().isEqualTo("  accepted, 000001");
        assertThat(outcome.steps().get(17).actual()).contains("RequestDebited 000002 v15 amount 15.43 balance -11.86",
                "RequestDebitRolledBack 000002 v16 amount 15.43 balance 3.57", "000001 46.93 (deleted)");
        assertThat(outcome.steps().get(20).actual()).isEqualTo("active 1, deleted 1, net balance 50.50, "
                + "transactions 12, average deposit 75.25, average withdrawal 150.00, debt forgiven 50.00");
        assertThat(outcome.steps().get(21).lines().getFirst()).startsWith("  money is conserved");
        assertThat(outcome.steps().get(22).actual()).isEqualTo("000002 Natalie Smith 3.57 0 pending");
        return outcome;
    }

    @Test
    @DisplayName("§11 demo story 1-23 on SQLite: every response, event, balance, and the results of steps 21-23")
    void sqlite() {
        try (BankingApplication app = BankingApplication.open(BankingConfig.sqlite(dir.resolve("demo.db"))
                .withEnvironment(Map.of()))) {
            runAndCheck(app);
            assertThat(app.verifyReplay(5L)).isEmpty();
        }
    }

    @Test
    @DisplayName("§11 demo story 1-23 in memory (cli.md demo --memory)")
    void memory() {
        try (BankingApplication app = BankingApplication.open(BankingConfig.inMemory())) {
            runAndCheck(app);
        }
    }

    @Test
    @DisplayName("cli.md §5.1: the story refuses a store that already holds events")
    void needsEmptyStore() {
        try (BankingApplication app = BankingApplication.open(BankingConfig.inMemory())) {
            app.jangle().send(new CreateAccount("Someone", null, null));
            assertThatThrownBy(() -> new DemoStory().run(app, DemoStory.StepListener.NONE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty store");
        }
    }
}
