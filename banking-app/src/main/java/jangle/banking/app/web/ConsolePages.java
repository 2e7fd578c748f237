package jangle.banking.app.web;

import java.util.List;
import java.util.Map;

/**
 * The console's pages: one HTML shell per page (plain HTML, no build step) into which the server puts only its own
 * constants (the page's name and title); {@code console.js} fills it from the API and writes every value with
 * {@code textContent}, so a name holding markup is shown, never run. Assets are a fixed list: there is no path to
 * resolve, so nothing outside it can be reached.
 */
final class ConsolePages {
    /** A console page and the least role that may open it. */
    record Page(String name, String title, Role role) {
    }

    static final List<Page> PAGES = List.of(
            new Page("accounts", "Accounts", Role.TELLER),
            new Page("account", "Account", Role.TELLER),
            new Page("send", "Send money", Role.TELLER),
            new Page("requests", "Requests", Role.TELLER),
            new Page("stats", "Statistics", Role.TELLER),
            new Page("operator", "Operator", Role.OPERATOR));

    static final Map<String, String> ASSETS = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    private final String shell = WebServer.readResource("console/shell.html");
    private final String login = WebServer.readResource("console/login.html");

    String page(Page p) {
        return shell.replace("%PAGE%", p.name()).replace("%TITLE%", p.title());
    }

    /** The login page with an optional message (server text, escaped all the same). */
    String login(String message) {
        return login.replace("%MESSAGE%", message == null ? "" : escape(message));
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
