package jangle.jdbc;

import jangle.test.EmbeddedPg;

class PostgresSnapshotAndSagaTest extends SnapshotAndSagaCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newSchemaUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }
}
