package jangle.jdbc;

class PostgresEventStoreTest extends EventStoreCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return EmbeddedPg.newDatabase();
    }
}
