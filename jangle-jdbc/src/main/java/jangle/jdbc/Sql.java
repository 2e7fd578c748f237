package jangle.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The named statements of one dialect, read once from {@code jangle/jdbc/<dialect>/statements.sql}, and the SQL
 * script reader used for schemas. SQL lives in resources, never in Java strings, so each dialect's text can be read
 * and reviewed on its own (STYLE 6).
 */
final class Sql {
    private final SqlDialect dialect;
    private final Map<String, String> statements;

    private Sql(SqlDialect dialect, Map<String, String> statements) {
        this.dialect = dialect;
        this.statements = statements;
    }

    static Sql load(SqlDialect dialect) {
        return load(dialect, "statements.sql");
    }

    /** The named statements of {@code jangle/jdbc/<dialect>/<file>} (e.g. {@code check.sql}). */
    static Sql load(SqlDialect dialect, String file) {
        String text = resource("jangle/jdbc/" + dialect.folder() + "/" + file);
        Map<String, String> map = new HashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("-- name:")) {
                if (name != null) map.put(name, body.toString().strip());
                name = line.substring("-- name:".length()).strip();
                body.setLength(0);
            } else if (name != null && !line.startsWith("--")) {
                body.append(line).append('\n');
            }
        }
        if (name != null) map.put(name, body.toString().strip());
        return new Sql(dialect, Map.copyOf(map));
    }

    SqlDialect dialect() {
        return dialect;
    }

    /** The statement; a missing one is a packaging bug. */
    String get(String name) {
        String s = statements.get(name);
        if (s == null) throw new IllegalStateException("no statement '" + name + "' for " + dialect);
        return s;
    }

    /** The statement, or null when this dialect does not need it (for example a lock SQLite gets for free). */
    String optional(String name) {
        return statements.get(name);
    }

    static String resource(String path) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) loader = Sql.class.getClassLoader();
        InputStream found = loader.getResourceAsStream(path);
        if (found == null) found = Sql.class.getClassLoader().getResourceAsStream(path);
        if (found == null) throw new IllegalArgumentException("classpath resource not found: " + path);
        try (InputStream in = found) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * Splits a script into statements at semicolons outside quotes, comments and PostgreSQL dollar-quoted bodies.
     * Comments are kept inside a statement; empty statements are dropped.
     */
    static List<String> split(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = script.length();
        int i = 0;
        while (i < n) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? n : end;
                i = end; // drop line comments
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < n) {
                    if (script.charAt(end) == c) {
                        if (end + 1 < n && script.charAt(end + 1) == c) end += 2;
                        else break;
                    } else end++;
                }
                end = Math.min(end + 1, n);
                cur.append(script, i, end);
                i = end;
            } else if (c == '$') {
                int tagEnd = script.indexOf('$', i + 1);
                String tag = tagEnd > 0 ? script.substring(i, tagEnd + 1) : null;
                if (tag != null && tag.matches("\\$[A-Za-z_0-9]*\\$")) {
                    int close = script.indexOf(tag, tagEnd + 1);
                    int end = close < 0 ? n : close + tag.length();
                    cur.append(script, i, end);
                    i = end;
                } else {
                    cur.append(c);
                    i++;
                }
            } else if (c == ';') {
                if (!cur.toString().isBlank()) out.add(cur.toString().strip());
                cur.setLength(0);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }
}
