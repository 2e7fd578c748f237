package jangle.jdbc;

/**
 * JDBC URLs as they may be shown (K3). The database address is a JDBC concern, so masking it lives here rather than in
 * the core's {@code Settings}, which holds no database setting.
 */
public final class JdbcUrls {
    private JdbcUrls() {
    }

    /**
     * {@code url} with its secrets replaced by {@code ****}: the value of every {@code ...password=} parameter and the
     * password in a {@code user:password@host} part. Every summary, log line and {@code toString} that shows a
     * database address goes through here. Null stays null.
     */
    public static String mask(String url) {
        if (url == null) return null;
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****")
                .replaceAll("(//[^/@:?#]*:)[^/@?#]*@", "$1****@");
    }
}
