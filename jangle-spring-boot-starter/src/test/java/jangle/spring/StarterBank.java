package jangle.spring;

import jangle.EventRecord;
import jangle.Projection;
import jangle.banking.AccountAggregate;
import jangle.banking.AccountCreated;
import jangle.banking.AccountCreationAggregate;
import jangle.banking.BankCommand;
import jangle.banking.BankEvent;
import jangle.banking.RequestApproved;
import jangle.banking.RequestCreated;
import jangle.banking.RequestRejected;
import jangle.banking.RequestSaga;
import jangle.banking.RequestSagaEvent;
import jangle.banking.TransferDebited;
import jangle.banking.TransferMediator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The banking domain declared part by part as beans (each kind of {@link JangleRegistration}, a {@link Projection}
 * bean and a customizer for the families), the way an application that does not have a {@code register} method would.
 */
@Configuration(proxyBeanMethods = false)
class StarterBank {

    /** Account names by id: an in-memory read model, enough to see that events reach a Projection bean. */
    static final class Names implements Projection<AccountCreated> {
        final Map<String, String> byId = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "starter-names";
        }

        @Override
        public Set<Class<? extends AccountCreated>> eventTypes() {
            return Set.of(AccountCreated.class);
        }

        @Override
        public void handle(EventRecord<? extends AccountCreated> record) {
            byId.put(record.event().accountId(), record.event().name());
        }

        @Override
        public void reset() {
            byId.clear();
        }
    }

    record NameOf(String accountId) implements jangle.Query<Optional<String>> {
    }

    @Bean
    JangleCustomizer families() {
        return b -> b.commands(BankCommand.class).events(BankEvent.class).events(RequestSagaEvent.class);
    }

    @Bean
    JangleRegistration creation() {
        return JangleRegistration.aggregate(AccountCreationAggregate.class, AccountCreationAggregate::new);
    }

    @Bean
    JangleRegistration accounts() {
        return JangleRegistration.aggregate(AccountAggregate.class, AccountAggregate::new);
    }

    @Bean
    JangleRegistration mediator() {
        return JangleRegistration.reactor(TransferMediator.NAME, TransferDebited.class, new TransferMediator()::on);
    }

    @Bean
    JangleRegistration requestSaga() {
        return JangleRegistration.saga(RequestSaga.class, RequestSaga::new, routes -> routes
                .on(RequestCreated.class, e -> RequestSaga.idOf(e.fundedAccountId(), e.transactionId()))
                .on(RequestApproved.class, e -> RequestSaga.idOf(e.fundedAccountId(), e.transactionId()))
                .on(RequestRejected.class, e -> RequestSaga.idOf(e.fundedAccountId(), e.transactionId())));
    }

    @Bean
    Names names() {
        return new Names();
    }

    @Bean
    JangleRegistration nameOf(Names names) {
        return JangleRegistration.query(NameOf.class, q -> Optional.ofNullable(names.byId.get(q.accountId())),
                "starter-names");
    }
}
