package jangle.banking.app.web;

/**
 * An authenticated caller: a user name and role. {@code csrf} is the cookie session's anti-forgery token, null for a
 * bearer-token caller (who cannot be forged by another site, since a browser never adds the header itself).
 */
public record WebUser(String name, Role role, String csrf) {
    boolean viaSession() {
        return csrf != null;
    }

    /** Without the anti-forgery token, which must not reach a log. */
    @Override
    public String toString() {
        return "WebUser[name=" + name + ", role=" + role + ", csrf=" + (csrf == null ? "none" : "****") + "]";
    }
}
