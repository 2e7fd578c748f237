package jangle.example.bank;

import jangle.banking.BankingDomain;
import jangle.jdbc.JdbcDatabase;
import jangle.spring.JangleCustomizer;
import jangle.spring.JangleRegistration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.util.List;
import java.util.Optional;

/**
 * Jangle Banking as a Spring Boot web application: the banking domain, the example's read model and two queries are
 * beans; {@code jangle-spring-boot-starter} builds and runs the rest. {@link BankController} is the HTTP side.
 */
// @start region="one-minute"
@SpringBootApplication
public class BankSpringBootApplication {

    /** Both aggregates, the transfer mediator and the Request saga, with their message families. */
    @Bean
    JangleCustomizer bankingDomain() {
        return BankingDomain::register;
    }

    /** A Projection bean: the starter subscribes it; it writes to the store's database. */
    @Bean
    AccountBalances accountBalances(JdbcDatabase database) {
        return new AccountBalances(database);
    }

    @Bean
    JangleRegistration getAccount(AccountBalances balances) {
        return JangleRegistration.query(GetAccount.class, q -> balances.account(q.accountId()), AccountBalances.NAME);
    }

    @Bean
    JangleRegistration listAccounts(AccountBalances balances) {
        return JangleRegistration.query(ListAccounts.class, q -> balances.accounts(), AccountBalances.NAME);
    }

    public static void main(String[] args) {
        SpringApplication.run(BankSpringBootApplication.class, args);
    }
}
// @end region="one-minute"

/** One account by number; empty until its creation is projected. */
record GetAccount(String accountId) implements jangle.Query<Optional<AccountBalances.Account>> {
}

/** Every account. */
record ListAccounts() implements jangle.Query<List<AccountBalances.Account>> {
}
