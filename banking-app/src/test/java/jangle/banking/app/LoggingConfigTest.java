package jangle.banking.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped {@code logback.xml}: logs go to the configured file only, as JSON lines by default or as text, never to
 * stdout or stderr (framework.md §15 L2, L3; cli.md §1 and fix 13). Each test configures a private logger context
 * from the real resource, so the JVM's own logging is untouched.
 */
class LoggingConfigTest {
    @TempDir
    Path dir;

    private List<String> logThroughShippedConfig(Path file, String format) throws Exception {
        URL config = getClass().getClassLoader().getResource("logback.xml");
        assertThat(config).as("logback.xml on the classpath").isNotNull();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            LoggerContext context = new LoggerContext();
            context.setMDCAdapter(new LogbackMDCAdapter());
            context.putProperty("jangle.log.file", file.toString());
            if (format != null) context.putProperty("jangle.log.format", format);
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            context.getLogger("jangle.command").atInfo().addKeyValue("point", "command.rejected")
                    .addKeyValue("aggregateId", "000002").log("command rejected: {}", "Insufficient funds");
            context.getLogger("jangle.command").atDebug().addKeyValue("point", "command.received").log("not shown");
            context.stop();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).as("nothing on stdout or stderr").isEmpty();
        return Files.readAllLines(file);
    }

    @Test
    @Tag("L2")
    @Tag("L3")
    @DisplayName("L2, L3, cli.md fix 13: the default format writes one JSON object per line to the file, with the point key, never to the console")
    void jsonByDefault() throws Exception {
        Path file = dir.resolve("bank.log");
        List<String> lines = logThroughShippedConfig(file, null);
        assertThat(lines).hasSize(1);
        String line = lines.getFirst();
        assertThat(line).startsWith("{").endsWith("}");
        assertThat(line).contains("\"level\":\"INFO\"", "\"loggerName\":\"jangle.command\"",
                "command rejected: Insufficient funds", "\"point\":\"command.rejected\"", "\"aggregateId\":\"000002\"");
    }

    @Test
    @DisplayName("cli.md §1 --log-format text: plain text lines with the key/values, still only in the file")
    void textFormat() throws Exception {
        Path file = dir.resolve("bank-text.log");
        List<String> lines = logThroughShippedConfig(file, "text");
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).doesNotStartWith("{")
                .contains("INFO", "jangle.command", "command rejected: Insufficient funds", "point=\"command.rejected\"");
    }

    @Test
    @DisplayName("An unknown log format falls back to JSON instead of failing")
    void unknownFormatIsJson() throws Exception {
        Path file = dir.resolve("bank-odd.log");
        List<String> lines = logThroughShippedConfig(file, "xml");
        assertThat(lines.getFirst()).startsWith("{").contains("\"point\":\"command.rejected\"");
    }
}
