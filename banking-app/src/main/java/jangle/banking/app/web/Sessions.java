package jangle.banking.app.web;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's cookie sessions, held in memory: a session id (256 random bits) maps to its user, its CSRF token and
 * its expiry. Only the SHA-256 of the id is a key here, so a heap dump shows no usable cookie. A restart logs every
 * console user out, which is the safe direction; API clients use bearer tokens and are not affected.
 */
final class Sessions {
    private record Session(WebUser user, Instant expiresAt) {
    }

    private final Map<String, Session> byIdHash = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration lifetime;

    Sessions(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** Opens a session for this user; returns its id (for the cookie only). */
    String open(WebUser user) {
        String id = randomToken();
        WebUser withCsrf = new WebUser(user.name(), user.role(), randomToken());
        byIdHash.put(UserStore.hash(id), new Session(withCsrf, clock.instant().plus(lifetime)));
        if (byIdHash.size() > 10_000) expire();
        return id;
    }

    /** The session's user (with its CSRF token), unless unknown or expired. */
    Optional<WebUser> find(String id) {
        if (id == null || id.length() > 100) return Optional.empty();
        String key = UserStore.hash(id);
        Session s = byIdHash.get(key);
        if (s == null) return Optional.empty();
        if (!clock.instant().isBefore(s.expiresAt())) {
            byIdHash.remove(key);
            return Optional.empty();
        }
        return Optional.of(s.user());
    }

    void close(String id) {
        if (id != null) byIdHash.remove(UserStore.hash(id));
    }

    /** Ends every session of a user (after the user is removed, for example). */
    void closeAll(String userName) {
        byIdHash.values().removeIf(s -> s.user().name().equals(userName));
    }

    int lifetimeSeconds() {
        return (int) lifetime.toSeconds();
    }

    private void expire() {
        Instant now = clock.instant();
        byIdHash.values().removeIf(s -> !now.isBefore(s.expiresAt()));
    }

    private String randomToken() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
