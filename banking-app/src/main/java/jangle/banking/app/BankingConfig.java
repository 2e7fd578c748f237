package jangle.banking.app;


import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Where and how a {@link BankingApplication} runs. Precedence (cli.md §1, framework.md §14): {@code memory} wins,
 * then a database URL ({@code jdbc:postgresql:…} or {@code jdbc:sqlite:…}), then a SQLite file path, then the
 * default file {@value #DEFAULT_DB_PATH} in the current directory.
 *
 * @param dbPath      SQLite file; null means {@value #DEFAULT_DB_PATH}
 * @param dbUrl       JDBC URL; wins over {@code dbPath} when not blank
 * @param dbUser      user for {@code dbUrl} (PostgreSQL), may be null
 * @param dbPassword  password for {@code dbUrl}, may be null
 * @param memory      in-memory event, snapshot and saga stores, with the read models in a private in-memory SQLite
 *                    database (nothing survives close)
 * @param clock       the application's clock (validators, sagas, "now" of the queries); null means UTC system clock
 * @param environment where {@code JANGLE_*} framework settings are read (§14); null means {@link System#getenv()}
 */
public record BankingConfig(String dbPath, String dbUrl, String dbUser, String dbPassword, boolean memory,
                            Clock clock, Map<String, String> environment) {
    /** The SQLite file used when nothing else is configured (T8). */
    public static final String DEFAULT_DB_PATH = "./jangle-bank.db";

    public BankingConfig {
        clock = clock == null ? Clock.systemUTC() : clock;
        environment = Map.copyOf(environment == null ? System.getenv() : environment);
    }

    /** Database settings from {@code JANGLE_DB_URL}, {@code JANGLE_DB_PATH}, {@code JANGLE_DB_USER}, {@code JANGLE_DB_PASSWORD}. */
    public static BankingConfig fromEnvironment(Map<String, String> env) {
        return new BankingConfig(env.get("JANGLE_DB_PATH"), env.get("JANGLE_DB_URL"), env.get("JANGLE_DB_USER"),
                env.get("JANGLE_DB_PASSWORD"), false, Clock.systemUTC(), env);
    }

    /** The defaults: the process environment, else {@value #DEFAULT_DB_PATH}. */
    public static BankingConfig defaults() {
        return fromEnvironment(System.getenv());
    }

    public static BankingConfig sqlite(Path file) {
        return new BankingConfig(file.toString(), null, null, null, false, null, Map.of());
    }

    public static BankingConfig database(String url, String user, String password) {
        return new BankingConfig(null, url, user, password, false, null, Map.of());
    }

    public static BankingConfig inMemory() {
        return new BankingConfig(null, null, null, null, true, null, Map.of());
    }

    public BankingConfig withClock(Clock newClock) {
        return new BankingConfig(dbPath, dbUrl, dbUser, dbPassword, memory, newClock, environment);
    }

    public BankingConfig withEnvironment(Map<String, String> env) {
        return new BankingConfig(dbPath, dbUrl, dbUser, dbPassword, memory, clock, env);
    }

    public BankingConfig withDbPath(String path) {
        return new BankingConfig(path, dbUrl, dbUser, dbPassword, memory, clock, environment);
    }

    public BankingConfig withDbUrl(String url, String user, String password) {
        return new BankingConfig(dbPath, url, user, password, memory, clock, environment);
    }

    public BankingConfig withMemory(boolean inMemory) {
        return new BankingConfig(dbPath, dbUrl, dbUser, dbPassword, inMemory, clock, environment);
    }

    /** True when a database URL is configured (it wins over the file path). */
    public boolean usesUrl() {
        return !memory && dbUrl != null && !dbUrl.isBlank();
    }

    /** The SQLite file in use when neither memory nor a URL is configured. */
    public Path effectiveDbPath() {
        return Path.of(dbPath == null || dbPath.isBlank() ? DEFAULT_DB_PATH : dbPath);
    }

    /** Where the data lives, for messages: the file, the URL without credentials, or "memory". */
    public String describeStore() {
        if (memory) return "memory";
        if (usesUrl()) return jangle.jdbc.JdbcUrls.mask(dbUrl);
        return effectiveDbPath().toString();
    }

    @Override
    public String toString() {
        return "BankingConfig[store=" + describeStore() + ", user=" + dbUser + ", password="
                + (dbPassword == null ? "null" : "****") + ", clock=" + clock + "]";
    }
}
