package jangle.banking.app.views;

import jangle.banking.app.testsupport.EmbeddedPg;
import jangle.jdbc.JdbcDatabase;

/** The triple-shuffle check on PostgreSQL databases. */
class PostgresTripleShuffleTest extends TripleShuffleContract {
    @Override
    protected JdbcDatabase newDatabase() {
        return EmbeddedPg.newDatabase();
    }

    @Override
    protected int commands() {
        return 2000;
    }
}
