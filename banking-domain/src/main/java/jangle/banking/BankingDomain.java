package jangle.banking;

import jangle.EventHandler;
import jangle.JangleBuilder;

/**
 * Registers the whole banking domain on a builder: the command and event families, both aggregates, the transfer
 * mediator and the Request saga with its routes. The application adds the query family, the read models, the query
 * handlers and the stores.
 *
 * {@snippet :
 * Jangle jangle = BankingDomain.register(Jangle.builder().clock(clock)).build();
 * }
 */
public final class BankingDomain {
    /** The name of the saga's reactor, {@code saga:<SagaTypeName>} (framework §9). */
    public static final String REQUEST_SAGA_HANDLER = "saga:RequestSaga";

    private BankingDomain() {
    }

    public static JangleBuilder register(JangleBuilder b) {
        return register(b, new TransferMediator()::on);
    }

    /** As {@link #register(JangleBuilder)} with another body for the mediator (tests wrap it to inject crashes). */
    static JangleBuilder register(JangleBuilder b, EventHandler<TransferDebited> mediator) {
        return b.commands(BankCommand.class)
                .events(BankEvent.class)
                .events(RequestSagaEvent.class)
                .aggregate(AccountCreationAggregate.class, AccountCreationAggregate::new)
                .aggregate(AccountAggregate.class, AccountAggregate::new)
                .reactor(TransferMediator.NAME, TransferDebited.class, mediator)
                .saga(RequestSaga.class, RequestSaga::new, routes -> routes
                        .on(RequestCreated.class, e -> RequestSaga.idOf(e.fundedAccountId(), e.transactionId()))
                        .on(RequestApproved.class, e -> RequestSaga.idOf(e.fundedAccountId(), e.transactionId()))
                        .on(RequestRejected.class, e -> RequestSaga.idOf(e.fundedAccountId(), e.transactionId())));
    }
}
