package jangle.banking.app.views;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named SQL statements loaded once from a classpath resource, so that SQL lives in {@code .sql} files per dialect
 * rather than in Java strings. A statement starts at a line {@code -- name: <id>} and runs to the next such line;
 * other comment lines and blank lines are dropped. Statements are constant text: values are always bound as
 * parameters (W6), never pasted in.
 */
public final class NamedSql {
    private final Map<String, String> statements;

    private NamedSql(Map<String, String> statements) {
        this.statements = Map.copyOf(statements);
    }

    /** Loads and parses {@code resource}; fails fast when it is missing or holds no statement. */
    public static NamedSql load(String resource) {
        try (InputStream in = NamedSql.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("SQL resource not found: " + resource);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL resource " + resource, e);
        }
    }

    static NamedSql parse(String text, String origin) {
        Map<String, String> result = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (t.startsWith("-- name:")) {
                if (name != null) result.put(name, body.toString().strip());
                name = t.substring("-- name:".length()).strip();
                body.setLength(0);
            } else if (!t.isEmpty() && !t.startsWith("--") && name != null) {
                body.append(line).append('\n');
            }
        }
        if (name != null) result.put(name, body.toString().strip());
        if (result.isEmpty()) throw new IllegalStateException("no named statement in " + origin);
        return new NamedSql(result);
    }

    /** The statement called {@code name}; a missing name is a programming error. */
    public String get(String name) {
        String sql = statements.get(name);
        if (sql == null) throw new IllegalArgumentException("no SQL statement named " + name);
        return sql;
    }
}
