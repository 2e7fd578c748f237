package jangle.banking.app;

import jangle.banking.app.views.ViewRebuild;
import jangle.test.EmbeddedPg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A process that rebuilds the bank's read models (as {@code jangle-bank replay} does) and says where it is, so that
 * {@link ViewRebuildContract} can kill it -9 there: {@code batch N} after each batch of the fill (each followed by a
 * pause), {@code swapping P} inside the swap transaction, which it then holds open.
 */
public final class RebuildChild {
    static final String BATCH = "batch";
    static final String SWAPPING = "swapping";

    private RebuildChild() {
    }

    /** {@code sqlite <file>} or {@code postgresql <url>}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = Map.of("JANGLE_REPLAY_BATCH_SIZE", "5");
        BankingConfig config = args[0].equals("sqlite") ? BankingConfig.sqlite(Path.of(args[1])).withEnvironment(env)
                : BankingConfig.database(args[1], EmbeddedPg.USER, EmbeddedPg.PASSWORD).withEnvironment(env);
        try (BankingApplication app = BankingApplication.open(config)) {
            int[] batches = {0};
            app.rebuild(new ViewRebuild.Listener() {
                @Override
                public void progress(long done, long total, double rate) {
                    System.out.println(BATCH + " " + ++batches[0]);
                    System.out.flush();
                    pause(30);
                }

                @Override
                public void swapping(long position) {
                    System.out.println(SWAPPING + " " + position);
                    System.out.flush();
                    pause(120_000); // held open until the parent kills this process
                }
            });
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Process start(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath(), RebuildChild.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }
}
