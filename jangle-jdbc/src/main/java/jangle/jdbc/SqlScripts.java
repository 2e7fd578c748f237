package jangle.jdbc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL scripts kept as classpath resources, split and templated the way {@link JdbcDatabase#executeScript} runs them.
 * A template names a table as a placeholder {@code {name}} (lower-case letters, digits, underscores) so that one
 * script can create several generations of the same tables (for example {@code bank_summary} and
 * {@code bank_summary_next}) instead of the names being pasted together in code. Only identifiers are substituted,
 * each checked to be a plain identifier; values never go into SQL text (they are bound).
 */
public final class SqlScripts {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_][a-z0-9_]*)}");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SqlScripts() {
    }

    /**
     * The statements of a classpath script, split at semicolons outside quotes, comments and dollar-quoted bodies,
     * line comments dropped, in order.
     */
    public static List<String> statements(String classpathResource) {
        Objects.requireNonNull(classpathResource, "classpathResource");
        return List.copyOf(Sql.split(Sql.resource(classpathResource)));
    }

    /**
     * {@code template} with every placeholder {@code {name}} replaced by {@code identifiers.get(name)}.
     *
     * @throws IllegalArgumentException when a placeholder has no entry, or an entry is not a plain identifier
     */
    public static String render(String template, Map<String, String> identifiers) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(identifiers, "identifiers");
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 32);
        while (m.find()) {
            String value = identifiers.get(m.group(1));
            if (value == null) throw new IllegalArgumentException("no identifier for placeholder {" + m.group(1) + "}");
            if (!IDENTIFIER.matcher(value).matches()) {
                throw new IllegalArgumentException("not a plain identifier for {" + m.group(1) + "}: " + value);
            }
            m.appendReplacement(out, value);
        }
        m.appendTail(out);
        return out.toString();
    }
}
