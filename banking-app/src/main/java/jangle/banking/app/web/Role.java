package jangle.banking.app.web;

import io.javalin.security.RouteRole;

import java.util.Locale;

/**
 * Who may do what over HTTP: a {@code TELLER} runs the bank's commands and queries; an {@code OPERATOR} may do all of
 * that and use the operator API (deliveries, sagas, metrics). {@code ANYONE} marks the few public routes (health,
 * the login page and the console's static assets).
 */
public enum Role implements RouteRole {
    ANYONE, TELLER, OPERATOR;

    /** True when a user of this role may use a route that asks for {@code required}. */
    public boolean allows(Role required) {
        return required == ANYONE || this == OPERATOR || this == required;
    }

    /** The lower-case name used on the command line, in the database and in JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code teller} or {@code operator}; anything else is refused with the allowed names. */
    public static Role parseUserRole(String text) {
        if (text != null) {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "teller" -> {
                    return TELLER;
                }
                case "operator" -> {
                    return OPERATOR;
                }
                default -> { }
            }
        }
        throw new IllegalArgumentException("role must be teller or operator, not '" + text + "'");
    }
}
