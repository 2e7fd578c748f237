package jangle.jdbc;

class PostgresConcurrencyTest extends ConcurrencyCases {
    @Override
    protected JdbcDatabase newDatabase() {
        return EmbeddedPg.newDatabase();
    }
}
