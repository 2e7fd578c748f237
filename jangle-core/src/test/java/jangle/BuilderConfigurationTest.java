package jangle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuilderConfigurationTest {

    sealed interface Cmds extends Command permits A, B {
    }

    record A(String aggregateId) implements Cmds {
    }

    record B(String aggregateId) implements Cmds {
    }

    sealed interface Evts extends Event permits Happened, Other {
    }

    record Happened() implements Evts {
    }

    @EventType(name = "Happened")
    record Other() implements Evts {
    }

    static final class OnlyA extends Aggregate {
        OnlyA(String id) {
            super(id);
        }

        @ValidateCommand
        void a(A c) {
        }
    }

    static final class AlsoA extends Aggregate {
        AlsoA(String id) {
            super(id);
        }

        @ValidateCommand
        void a(A c) {
        }
    }

    static final class BadSignatures extends Aggregate {
        BadSignatures(String id) {
            super(id);
        }

        @ValidateCommand
        String wrongReturn(B c) {
            return "";
        }

        @ReconstituteState
        int wrongApplier(Happened e) {
            return 1;
        }

        @ValidateCommand
        void twoCommands(A a, B b) {
        }
    }

    static final class TwoForOne extends Aggregate {
        TwoForOne(String id) {
            super(id);
        }

        @ValidateCommand
        void first(B c) {
        }

        @ValidateCommand
        void second(B c, long nextVersion) {
        }
    }

    sealed interface Questions<R> extends Query<R> permits Q1, Q2 {
    }

    record Q1() implements Questions<String> {
    }

    record Q2() implements Questions<Integer> {
    }

    @Test
    @Tag("A1")
    @Tag("A2")
    @Tag("CR2")
    @Tag("D4")
    @Tag("J2")
    @Tag("K2")
    @Tag("Q2")
    @DisplayName("CR2, A1, A2, J2, Q2, D4, K2: build() lists every problem at once: missing route, two owners, bad "
            + "signatures, duplicates")
    void listsEveryProblem() {
        var builder = Jangle.builder().environment(Map.of())
                .commands(Cmds.class)
                .aggregate(OnlyA.class, OnlyA::new)
                .aggregate(AlsoA.class, AlsoA::new)
                .aggregate(BadSignatures.class, BadSignatures::new)
                .events(Evts.class)
                .queries(questionsFamily())
                .query(Q1.class, q -> "one")
                .query(Q1.class, q -> "again")
                .reactor("bad name!", Happened.class, (r, c) -> { })
                .reactor("twice", Happened.class, (r, c) -> { })
                .reactor("twice", Happened.class, (r, c) -> { })
                .setting("batchSize", "-3")
                .setting("noSuchSetting", "1");
        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains(A.class.getName()).contains("claimed by both"))
                        .anySatisfy(p -> assertThat(p).contains("wrongReturn").contains("returns CommandResponse or void"))
                        .anySatisfy(p -> assertThat(p).contains("wrongApplier").contains("@ReconstituteState"))
                        .anySatisfy(p -> assertThat(p).contains("twoCommands"))
                        .anySatisfy(p -> assertThat(p).contains(B.class.getName()).contains("has no aggregate"))
                        .anySatisfy(p -> assertThat(p).contains("event type name 'Happened' is used by both"))
                        .anySatisfy(p -> assertThat(p).contains(Q2.class.getName()).contains("has no handler"))
                        .anySatisfy(p -> assertThat(p).contains(Q1.class.getName()).contains("two handlers"))
                        .anySatisfy(p -> assertThat(p).contains("'bad name!'"))
                        .anySatisfy(p -> assertThat(p).contains("'twice' is used twice"))
                        .anySatisfy(p -> assertThat(p).contains("batchSize").contains("'-3'")
                                .contains("positive integer"))
                        .anySatisfy(p -> assertThat(p).contains("noSuchSetting")));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<? extends Query<?>> questionsFamily() {
        return (Class) Questions.class;
    }

    @Test
    @Tag("A4")
    @DisplayName("A4: two methods for one command type in one class is a ConfigurationException naming both")
    void twoValidatorsForOneCommand() {
        var builder = Jangle.builder().environment(Map.of()).aggregate(TwoForOne.class, TwoForOne::new);
        assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("first").hasMessageContaining("second").hasMessageContaining(B.class.getName());
    }

    @Test
    @Tag("K2")
    @DisplayName("K2: a bad environment value names the variable and the value")
    void badEnvironmentValue() {
        var builder = Bank.builder().environment(Map.of("JANGLE_FAILED_EVENTS_MAX_AGE", "soon",
                "JANGLE_COMMAND_MAX_ATTEMPTS", "0"));
        assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("JANGLE_FAILED_EVENTS_MAX_AGE has invalid value 'soon'")
                .hasMessageContaining("JANGLE_COMMAND_MAX_ATTEMPTS has invalid value '0'");
    }

    @Test
    @Tag("CR1")
    @DisplayName("CR1: a builder builds once")
    void buildsOnce() {
        var builder = Bank.builder();
        try (Jangle ignored = builder.build()) {
            assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    @Tag("J2")
    @DisplayName("J2: a handler on an unregistered event type is a configuration problem")
    void handlerOnUnregisteredType() {
        var builder = Jangle.builder().environment(Map.of()).reactor("r", Happened.class, (r, c) -> { });
        assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not in a registered event family");
    }
}
