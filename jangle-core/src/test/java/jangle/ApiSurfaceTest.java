package jangle;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The type a user holds stays small: operator and engine verbs live on {@link Operations}, not on {@link Jangle}. */
class ApiSurfaceTest {

    private static Set<String> publicMethods(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic())
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    @DisplayName("Jangle declares only send, query, the consistency waits, start/close and a few essentials")
    void jangleIsSmall() {
        assertThat(publicMethods(Jangle.class)).containsExactlyInAnyOrder("builder", "send", "sendAsync", "query",
                "awaitHandled", "awaitSettled", "operations", "types", "stores", "settings", "clock", "start", "close");
    }

    @Test
    @DisplayName("the operator and engine verbs are all on Operations")
    void operatorVerbsAreOnOperations() {
        assertThat(publicMethods(Operations.class)).containsExactlyInAnyOrder("pending", "deadLetters", "retry",
                "retryAll", "skip", "sagas", "handlers", "runEventDaemonPass", "runCatchUpPass", "runSagaDaemonPass",
                "replay", "commandCounts", "backlog", "health", "externalDelivery", "processors", "resetProcessor", "runProcessorsPass");
    }
}
