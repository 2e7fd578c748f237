package jangle.banking.app.views;

import jangle.banking.app.testsupport.EmbeddedPg;
import jangle.jdbc.JdbcDatabase;

/** The §9 queries on a real (embedded) PostgreSQL database. */
class PostgresBankQueriesTest extends BankQueriesContract {
    @Override
    protected JdbcDatabase newDatabase() {
        return EmbeddedPg.newDatabase();
    }
}
