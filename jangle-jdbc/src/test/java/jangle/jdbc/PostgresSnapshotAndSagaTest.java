package jangle.jdbc;

class PostgresSnapshotAndSagaTest extends SnapshotAndSagaCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return EmbeddedPg.newDatabase();
    }
}
