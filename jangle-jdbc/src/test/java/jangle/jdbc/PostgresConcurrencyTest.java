package jangle.jdbc;

import jangle.test.EmbeddedPg;

class PostgresConcurrencyTest extends ConcurrencyCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }
}
