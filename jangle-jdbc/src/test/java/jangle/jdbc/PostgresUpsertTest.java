package jangle.jdbc;

class PostgresUpsertTest extends UpsertCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return EmbeddedPg.newDatabase();
    }
}
