package jangle.jdbc;

import jangle.test.EmbeddedPg;

class PostgresKillTest extends KillTestCases {
    private String url;

    @Override
    protected String target() {
        url = EmbeddedPg.newSchemaUrl();
        return url;
    }

    @Override
    protected JdbcDatabase reopen() {
        return JdbcDatabase.open(url, "postgres", "postgres");
    }
}
