package jangle.jdbc;

import jangle.test.EmbeddedPg;

class PostgresEventStoreTest extends EventStoreCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }
}
