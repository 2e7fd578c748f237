package jangle.banking.app.views;

import jangle.test.EmbeddedPg;
import jangle.jdbc.JdbcDatabase;

/** The §9 queries on a real (embedded) PostgreSQL database. */
class PostgresBankQueriesTest extends BankQueriesContract {
    @Override
    protected JdbcDatabase newDatabase() {
        return JdbcDatabase.open(EmbeddedPg.newDatabaseUrl(), EmbeddedPg.USER, EmbeddedPg.PASSWORD);
    }
}
