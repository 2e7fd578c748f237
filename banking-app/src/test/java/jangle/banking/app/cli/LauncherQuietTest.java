package jangle.banking.app.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 16.20: {@code ./mvnw} (which the first {@code ./jangle-bank} runs) prints nothing of Maven's own start-up. */
class LauncherQuietTest {
    @Test
    @DisplayName("issue 16.20: ./mvnw -q prints no JDK warnings from Maven's libraries and no stray colour reset")
    void mavenStartsQuietly() throws Exception {
        Path mvnw = Path.of("..", "mvnw").toAbsolutePath().normalize();
        assertThat(mvnw).as("run from the banking-app module of the repository").exists();
        Process p = new ProcessBuilder(mvnw.toString(), "-q", "-B", "-v").redirectErrorStream(true)
                .directory(mvnw.getParent().toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).doesNotContain("\u001b[", "WARNING", "sun.misc.Unsafe");
        assertThat(out.strip()).as("the version").isNotEmpty();
    }
}
