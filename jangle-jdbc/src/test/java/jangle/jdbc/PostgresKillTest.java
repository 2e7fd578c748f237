package jangle.jdbc;

class PostgresKillTest extends KillTestCases {
    private String url;

    @Override
    protected String target() {
        url = EmbeddedPg.newDatabaseUrl();
        return url;
    }

    @Override
    protected JdbcDatabase reopen() {
        return JdbcDatabase.open(url, "postgres", "postgres");
    }
}
