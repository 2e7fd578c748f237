package jangle.banking.app.views;

import jangle.test.EmbeddedPg;
import jangle.jdbc.JdbcDatabase;

/** The triple-shuffle check on PostgreSQL databases. */
class PostgresTripleShuffleTest extends TripleShuffleContract {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newDatabaseUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }

    @Override
    protected int commands() {
        return 2000;
    }
}
