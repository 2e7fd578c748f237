package jangle.banking.app.cli;

import jangle.TypeRegistry;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.banking.app.RowDifference;
import jangle.jdbc.SqliteFiles;
import jangle.jdbc.StoreCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The operator's store commands (issue 17): {@code check}, {@code backup FILE} and {@code restore FILE}. Registered
 * by {@link Cli#execute}; each inherits the global options ({@code --db}, {@code --db-url}, {@code --json}).
 */
final class StoreCommands {
    private StoreCommands() {
    }

    /** The application's event types, from an in-memory instance (nothing is opened on the store to learn them). */
    static TypeRegistry bankTypes() {
        try (BankingApplication memory = BankingApplication.open(new BankingConfig(null, null, null, null, true,
                Clock.systemUTC(), Map.of()))) {
            return memory.jangle().types();
        }
    }

    /** The SQLite file of the global options, or null on PostgreSQL. */
    static Path sqliteFile(BankingConfig config) {
        if (!config.usesUrl()) return config.effectiveDbPath().toAbsolutePath();
        String url = config.dbUrl();
        if (url.startsWith("jdbc:sqlite:")) return Path.of(url.substring("jdbc:sqlite:".length())).toAbsolutePath();
        return null;
    }

    static StoreCheck.Report check(BankingConfig config, TypeRegistry types) {
        Path file = sqliteFile(config);
        return file != null ? StoreCheck.sqlite(file, types)
                : StoreCheck.postgres(config.dbUrl(), config.dbUser(), config.dbPassword(), types);
    }

    /** Prints a report; true when sound. */
    static boolean print(StoreCheck.Report report, List<String> extra, boolean json, PrintWriter out) {
        boolean sound = report.sound() && extra.isEmpty();
        if (json) {
            List<Map<String, Object>> findings = new ArrayList<>();
            for (StoreCheck.Finding f : report.findings()) findings.add(Map.of("kind", f.kind(), "detail", f.detail()));
            for (String v : extra) findings.add(Map.of("kind", "views", "detail", v));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("database", report.database());
            m.put("sound", sound);
            m.put("events", report.events());
            m.put("aggregates", report.aggregates());
            m.put("sagas", report.sagas());
            m.put("notes", report.notes());
            m.put("findings", findings);
            m.put("unlisted", report.unlisted());
            out.println(new JsonOutput().write(m));
            out.flush();
            return sound;
        }
        out.println("Checked " + report.database() + ": " + report.events() + " events in " + report.aggregates()
                + " streams, " + report.sagas() + " sagas.");
        for (String note : report.notes()) out.println("  " + note);
        if (sound) {
            out.println("Sound: no findings.");
        } else {
            for (StoreCheck.Finding f : report.findings()) out.println("  " + f);
            for (String v : extra) out.println("  views: " + v);
            long total = report.findings().size() + extra.size() + report.unlisted();
            if (report.unlisted() > 0) out.println("  ... and " + report.unlisted() + " more not listed");
            out.println(total + (total == 1 ? " finding" : " findings")
                    + ": the store is damaged or inconsistent. Restore a backup ('jangle-bank restore FILE').");
        }
        out.flush();
        return sound;
    }

    @Command(name = "check", description = {"Verifies the store without writing to it: the database's integrity check, "
            + "every event readable and upcastable, versions gapless, positions unique, snapshots on their streams, "
            + "saga histories readable. Exit 0 when sound, 1 with the list of findings.",
            "--views also compares the read models with a fresh replay (on SQLite in a private copy; on PostgreSQL "
                    + "in a scratch schema it creates and drops)."})
    static final class Check implements Callable<Integer> {
        private final Cli cli;
        @Spec
        CommandSpec spec;
        @Option(names = "--views", description = "Also compare the read models with a fresh replay.")
        boolean views;

        Check(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            BankingConfig config = cli.config();
            PrintWriter out = spec.commandLine().getOut();
            StoreCheck.Report report = check(config, bankTypes());
            List<String> differences = new ArrayList<>();
            if (views) differences = views(config, report);
            return print(report, differences, cli.json, out) ? Main.OK : Main.REJECTED;
        }

        /** Read models against a fresh replay; on SQLite in an online-backup copy, so the store is not written. */
        private static List<String> views(BankingConfig config, StoreCheck.Report report) {
            List<String> out = new ArrayList<>();
            if (!report.sound()) {
                out.add("not compared: the store itself has findings");
                return out;
            }
            Path file = sqliteFile(config);
            Path copy = null;
            try {
                BankingConfig target = config;
                if (file != null) {
                    copy = Files.createTempDirectory("jangle-check-").resolve("copy.db");
                    SqliteFiles.backup(file, copy);
                    target = new BankingConfig(copy.toString(), null, null, null, false, config.clock(),
                            config.environment());
                }
                try (BankingApplication app = BankingApplication.open(target)) {
                    // the private copy may hold events the live bank had not handled yet (a backup of a running bank
                    // always does): run them there, so only real differences remain. On PostgreSQL nothing is
                    // started, and such pending work shows as differences (said below).
                    if (copy != null) app.start();
                    for (RowDifference d : app.verifyReplay(null)) {
                        out.add(d.table() + " " + d.key() + ": live " + d.live() + ", rebuilt " + d.rebuilt());
                    }
                    long behind = copy == null && !out.isEmpty() ? app.unhandledEvents() : 0;
                    long pending = copy == null && !out.isEmpty() ? app.pendingDeliveries() : 0;
                    if (behind > 0 || pending > 0) {
                        out.add("note: the processors are up to " + behind + " events behind and " + pending
                                + " deliveries are parked; differences for their events are work not yet done, not "
                                + "damage (run again once the bank is idle)");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary copy for --views", e);
            } finally {
                if (copy != null) deleteQuietly(copy);
            }
            return out;
        }
    }

    @Command(name = "backup", description = {"Copies the running SQLite bank into FILE with SQLite's online backup "
            + "(a consistent copy as of one commit, taken while the bank keeps running), then checks the copy.",
            "PostgreSQL: use the server's own tools (pg_dump, pg_basebackup); see the README."})
    static final class Backup implements Callable<Integer> {
        private final Cli cli;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "FILE", description = "The backup file to create (must not exist).")
        Path file;

        Backup(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            BankingConfig config = cli.config();
            Path source = sqliteFile(config);
            if (source == null) {
                throw new Cli.BadInput("backup copies SQLite files; for PostgreSQL use pg_dump or pg_basebackup "
                        + "(see the README, section 'Backups')");
            }
            PrintWriter out = spec.commandLine().getOut();
            Path target = file.toAbsolutePath();
            long start = System.nanoTime();
            SqliteFiles.backup(source, target);
            double seconds = (System.nanoTime() - start) / 1e9;
            StoreCheck.Report report = StoreCheck.sqlite(target, bankTypes());
            if (!cli.json) {
                out.println(String.format(java.util.Locale.ROOT, "Backed up %s to %s in %.2f s (%,d bytes).",
                        source, target, seconds, size(target)));
            }
            return print(report, List.of(), cli.json, out) ? Main.OK : Main.REJECTED;
        }
    }

    @Command(name = "restore", description = {"Replaces the SQLite bank (--db) by the backup FILE, after checking FILE. "
            + "Refuses an existing bank unless --force is given, and always refuses one that a running process has "
            + "open (stop it first)."})
    static final class Restore implements Callable<Integer> {
        private final Cli cli;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "FILE", description = "The backup file (made by 'jangle-bank backup').")
        Path file;
        @Option(names = "--force", description = "Replace an existing bank (its history since the backup is lost).")
        boolean force;

        Restore(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            BankingConfig config = cli.config();
            Path target = sqliteFile(config);
            if (target == null) {
                throw new Cli.BadInput("restore writes SQLite files; for PostgreSQL use pg_restore or the server's "
                        + "recovery (see the README, section 'Backups')");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path source = file.toAbsolutePath();
            if (!Files.isRegularFile(source)) throw new Cli.BadInput("there is no backup file " + source);
            if (source.equals(target)) throw new Cli.BadInput("the backup file is the bank itself: " + source);
            if (SqliteFiles.inUse(target)) {
                err.println("Refused: " + target + " is open in a running process (daemon, terminal, ...). Stop it "
                        + "first: a running bank would go on serving and writing its old state over the restored one.");
                return Main.REJECTED;
            }
            if (Files.exists(target) && size(target) > 0 && !force) {
                err.println("Refused: " + target + " exists. Restoring replaces it, and every command recorded since "
                        + "the backup is lost; give --force to do that (or restore into a new --db).");
                return Main.REJECTED;
            }
            TypeRegistry types = bankTypes();
            StoreCheck.Report checked = StoreCheck.sqlite(source, types);
            if (!checked.sound()) {
                err.println("Refused: the backup " + source + " is not sound:");
                print(checked, List.of(), false, err);
                return Main.REJECTED;
            }
            Path temporary = target.resolveSibling(target.getFileName() + ".restoring");
            try {
                Files.createDirectories(target.toAbsolutePath().getParent());
                deleteQuietly(temporary);
                SqliteFiles.restore(source, temporary);
                // the old -wal and -shm belong to the old file: replayed over the restored one they would damage it
                Files.deleteIfExists(Path.of(target + "-wal"));
                Files.deleteIfExists(Path.of(target + "-shm"));
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restore " + target + " from " + source, e);
            } finally {
                deleteQuietly(temporary);
            }
            if (!cli.json) out.println("Restored " + target + " from " + source + ".");
            return print(StoreCheck.sqlite(target, types), List.of(), cli.json, out) ? Main.OK : Main.REJECTED;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path file) {
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            try {
                Files.deleteIfExists(Path.of(file + suffix));
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }
}
