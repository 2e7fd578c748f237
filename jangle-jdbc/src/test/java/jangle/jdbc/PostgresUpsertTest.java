package jangle.jdbc;

import jangle.test.EmbeddedPg;

class PostgresUpsertTest extends UpsertCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }
}
