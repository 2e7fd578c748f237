package jangle.banking.app.web;

import jangle.banking.app.views.NamedSql;
import jangle.jdbc.JdbcDatabase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The API users of {@code jangle-bank serve}, in the bank's own database (table {@code web_users}).
 *
 * <p><b>Tokens and their hash.</b> A token is 32 bytes from {@link SecureRandom} (256 bits), shown once when the user
 * is added and stored only as its SHA-256. A slow password hash (bcrypt, Argon2, PBKDF2) exists to make guessing a
 * <em>low-entropy</em> human password from a stolen hash expensive; a 256-bit random token cannot be guessed at any
 * hash speed, so a fast hash loses nothing and lets every request be checked with one index lookup instead of a
 * deliberately slow computation (which would also hand an attacker a cheap way to load the server). A key (HMAC) would
 * add nothing either: it protects low-entropy secrets from offline guessing, and it would be one more secret to keep.
 * The stored hash is compared with {@link MessageDigest#isEqual} (constant time). The login form asks for the same
 * token, so the console adds no second, weaker kind of secret.
 */
public final class UserStore {
    private static final String TOKEN_PREFIX = "jb_";
    private final JdbcDatabase db;
    private final NamedSql sql;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private UserStore(JdbcDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.sql = NamedSql.load("jangle/banking/web/queries.sql");
    }

    /** Creates the server's tables when missing and returns the store. */
    public static UserStore open(JdbcDatabase db, Clock clock) {
        db.executeScript("jangle/banking/web/schema.sql");
        return new UserStore(db, clock);
    }

    /** A user as listed (never with the token or its hash). */
    public record Listed(String name, Role role, String createdAt) {
    }

    /**
     * Adds a user and returns the new token: the only time it exists outside the caller's hands.
     *
     * @throws IllegalArgumentException when the name is malformed or taken
     */
    public String add(String name, Role role) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,40}")) {
            throw new IllegalArgumentException("user name must be 1 to 40 characters from A-Z, a-z, 0-9, '.', '_', '-'");
        }
        if (role == Role.ANYONE) throw new IllegalArgumentException("role must be teller or operator");
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        int added = db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.get("user.insert"))) {
                s.setString(1, name);
                s.setString(2, role.label());
                s.setString(3, hash(token));
                s.setString(4, clock.instant().toString());
                return s.executeUpdate();
            }
        });
        if (added == 0) throw new IllegalArgumentException("user " + name + " exists already");
        return token;
    }

    /** The user whose token this is, if any. */
    public Optional<WebUser> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 100) return Optional.empty();
        String hash = hash(token);
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.get("user.by-hash"))) {
                s.setString(1, hash);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || !constantTimeEquals(rs.getString(3), hash)) return Optional.empty();
                    return Optional.of(new WebUser(rs.getString(1), Role.parseUserRole(rs.getString(2)), null));
                }
            }
        });
    }

    /** The login form's check: this user exists and this is its token. */
    public Optional<WebUser> login(String name, String token) {
        if (name == null || token == null || token.length() > 100) return Optional.empty();
        String hash = hash(token);
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.get("user.by-name"))) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || !constantTimeEquals(rs.getString(3), hash)) return Optional.empty();
                    return Optional.of(new WebUser(rs.getString(1), Role.parseUserRole(rs.getString(2)), null));
                }
            }
        });
    }

    /** The user's current role, if the user still exists (a console session is checked against it each time). */
    public Optional<Role> role(String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.get("user.by-name"))) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(Role.parseUserRole(rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    public List<Listed> list() {
        return db.read(c -> {
            List<Listed> users = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql.get("user.list")); ResultSet rs = s.executeQuery()) {
                while (rs.next()) users.add(new Listed(rs.getString(1), Role.parseUserRole(rs.getString(2)),
                        rs.getString(3)));
            }
            return users;
        });
    }

    /** Removes a user (its token stops working at once); false when there was none. */
    public boolean remove(String name) {
        return db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.get("user.delete"))) {
                s.setString(1, name);
                return s.executeUpdate() > 0;
            }
        });
    }

    static String hash(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static boolean constantTimeEquals(String a, String b) {
        return a != null && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
