package jangle.banking.app.cli;

import jangle.banking.app.web.Role;
import jangle.banking.app.web.HealthSource;
import jangle.banking.app.web.LibraryHealth;
import jangle.banking.app.web.StoreHealth;
import jangle.banking.app.web.UserStore;
import jangle.banking.app.web.WebServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jangle-bank serve} and {@code jangle-bank users}: the HTTP server and its users (issue 14). Kept beside
 * {@link Cli} so that the command line's options, database and exit codes are the same as every other subcommand's.
 */
final class WebCommands {
    private final Cli cli;
    private final Main io;

    WebCommands(Cli cli, Main io) {
        this.cli = cli;
        this.io = io;
    }

    /** Serves until Ctrl-C or SIGTERM; then drains requests in flight, stops dispatch and closes the store. */
    int serve(String host, int port, String firstOperator, boolean insecureCookies) {
        if (port < 0 || port > 65535) throw new Cli.BadInput("--port must be 0 to 65535");
        if (host == null || host.isBlank()) throw new Cli.BadInput("--host must not be empty");
        WebServer.Options options = WebServer.Options.defaults().withAddress(host.strip(), port)
                .withSecureCookies(!insecureCookies).withSettleWait(cli.waitLimit());
        boolean dispatch = cli.dispatchOn();
        return cli.withApplication(true, app -> {
            UserStore users = UserStore.open(app.database(), app.config().clock());
            if (firstOperator != null) {
                if (users.list().isEmpty()) {
                    String token = add(users, firstOperator, Role.OPERATOR);
                    io.out().println("Created operator " + firstOperator + ". Its token, shown this once (keep it):");
                    io.out().println(token);
                } else {
                    io.out().println("Users exist already: --first-operator " + firstOperator + " was not created.");
                }
            }
            WebServer server;
            try {
                // with dispatch and daemons running the library's report applies; without them only the store's
                HealthSource health = dispatch ? new LibraryHealth(app.observability()) : new StoreHealth(app, () -> false);
                server = WebServer.start(app, users, options, health, LibraryHealth.metrics(app.observability()));
            } catch (IllegalStateException e) {
                io.err().println("Error: " + e.getMessage());
                return Main.FAILURE;
            }
            io.beforeClose(server::stop);
            io.out().println("Jangle Banking serving on " + server.url() + " (" + app.config().describeStore()
                    + "). Open it in a browser and log in with a user's token. Press Ctrl-C to stop.");
            io.out().flush();
            try {
                io.awaitStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.stop();
            return Main.OK;
        });
    }

    private static String add(UserStore users, String name, Role role) {
        try {
            return users.add(name, role);
        } catch (IllegalArgumentException e) {
            throw new Cli.BadInput(e.getMessage());
        }
    }

    /** {@code users add|list|remove}. */
    @Command(name = "users", description = "API and console users: add (prints the token once), list, remove.")
    static final class Users {
        private final Cli cli;
        private final Main io;

        Users(Cli cli, Main io) {
            this.cli = cli;
            this.io = io;
        }

        @Command(name = "add", description = "Adds a user and prints its token; the token is never shown again.")
        int add(@Parameters(index = "0", paramLabel = "NAME", description = "The user's name.") String name,
                @Option(names = "--role", paramLabel = "teller|operator", required = true,
                        description = "teller: bank commands and queries; operator: everything.") String roleText) {
            Role role;
            try {
                role = Role.parseUserRole(roleText);
            } catch (IllegalArgumentException e) {
                throw new Cli.BadInput("--role " + e.getMessage().replace("role ", ""));
            }
            return cli.withApplication(false, app -> {
                String token = WebCommands.add(UserStore.open(app.database(), app.config().clock()), name, role);
                if (cli.json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("name", name);
                    doc.put("role", role.label());
                    doc.put("token", token);
                    io.out().println(new JsonOutput().write(doc));
                } else {
                    io.err().println("Created " + role.label() + " " + name + ". Its token, shown this once:");
                    io.out().println(token);
                }
                return Main.OK;
            });
        }

        @Command(name = "list", description = "Lists users and roles (never tokens).")
        int list() {
            return cli.withApplication(false, app -> {
                List<UserStore.Listed> users = UserStore.open(app.database(), app.config().clock()).list();
                if (cli.json) {
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (UserStore.Listed u : users) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("name", u.name());
                        row.put("role", u.role().label());
                        row.put("createdAt", u.createdAt());
                        rows.add(row);
                    }
                    io.out().println(new JsonOutput().write(rows));
                } else if (users.isEmpty()) {
                    io.out().println("No users.");
                } else {
                    List<List<String>> rows = new ArrayList<>();
                    for (UserStore.Listed u : users) rows.add(List.of(u.name(), u.role().label(), u.createdAt()));
                    Formats.grid(List.of("Name", "Role", "Created at"), rows).forEach(io.out()::println);
                }
                return Main.OK;
            });
        }

        @Command(name = "remove", description = "Removes a user; its token stops working at once.")
        int remove(@Parameters(index = "0", paramLabel = "NAME", description = "The user to remove.") String name) {
            return cli.withApplication(false, app -> {
                if (!UserStore.open(app.database(), app.config().clock()).remove(name)) {
                    io.err().println("No such user: " + name);
                    return Main.REJECTED;
                }
                io.out().println("Removed " + name + ".");
                return Main.OK;
            });
        }
    }
}
