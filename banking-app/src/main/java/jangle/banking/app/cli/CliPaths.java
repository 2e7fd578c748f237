package jangle.banking.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of the files the command line is told to use (issue 16.7), made before anything is opened, so a mistake is
 * an {@code Invalid input} that names the path instead of a silent surprise. Nothing is created for the user: a
 * mistyped directory in {@code --db} would otherwise start an empty bank somewhere unexpected, and a log file that
 * cannot be written would leave an operator without the log they count on.
 */
final class CliPaths {
    private CliPaths() {
    }

    /** The SQLite file of {@code --db} (or {@code JANGLE_DB_PATH}): its directory must exist; it must not be one. */
    static void databaseFile(String label, String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) throw new Cli.BadInput(label + " " + path + " is a directory, not a database file");
        directoryExists(label, path, p);
    }

    /**
     * The log file of {@code --log-file} (or {@code JANGLE_LOG_FILE}): not a directory, in an existing directory,
     * writable (or creatable).
     */
    static void logFile(String label, String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) throw new Cli.BadInput(label + " " + path + " is a directory, not a file");
        Path dir = directoryExists(label, path, p);
        if (Files.exists(p) ? !Files.isWritable(p) : !Files.isWritable(dir)) {
            throw new Cli.BadInput(label + " " + path + " cannot be written"
                    + (Files.exists(p) ? "" : ": the directory " + dir + " is not writable"));
        }
    }

    private static Path directoryExists(String label, String path, Path p) {
        Path dir = p.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new Cli.BadInput(label + " " + path + ": the directory " + dir + " does not exist (create it first)");
        }
        return dir;
    }
}
