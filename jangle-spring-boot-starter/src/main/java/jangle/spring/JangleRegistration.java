package jangle.spring;

import jangle.Aggregate;
import jangle.Event;
import jangle.EventHandler;
import jangle.JangleBuilder;
import jangle.Query;
import jangle.QueryHandler;
import jangle.Saga;
import jangle.SagaRoutes;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One part of the application declared as a bean: an aggregate or saga type with its factory (their instances belong
 * to Jangle, one per id, so the bean is the registration, not an instance), a reactor, a lambda projection or a query
 * handler. A {@link jangle.Projection} bean needs no wrapper. The auto-configuration hands each bean to the builder
 * once; duplicates and missing routes are reported together by {@code build()} (CR2).
 *
 * {@snippet :
 * @Bean
 * JangleRegistration accounts() {
 *     return JangleRegistration.aggregate(AccountAggregate.class, AccountAggregate::new);
 * }
 * }
 */
public sealed interface JangleRegistration {
    /** Registers this part on {@code builder}. */
    void register(JangleBuilder builder);

    /** An aggregate type with the factory that receives the aggregate id (A12). */
    static <A extends Aggregate> JangleRegistration aggregate(Class<A> type, Function<String, A> factory) {
        return new AggregateType<>(type, factory);
    }

    /** A saga type with its factory and routes (§9). */
    static <S extends Saga> JangleRegistration saga(Class<S> type, Function<String, S> factory,
                                                    Consumer<SagaRoutes> routes) {
        return new SagaType<>(type, factory, routes);
    }

    /** A handler with side effects, never replayed (§8). */
    static <E extends Event> JangleRegistration reactor(String name, Class<E> type, EventHandler<E> handler) {
        return new Handler<>(name, type, handler, false);
    }

    /** A read-model handler for one event type, replayable (§8, V1–V4). */
    static <E extends Event> JangleRegistration projection(String name, Class<E> type, EventHandler<E> handler) {
        return new Handler<>(name, type, handler, true);
    }

    /** The one handler of a query type; {@code readsFrom} names the projections it reads (Q4, CA1). */
    static <Q extends Query<R>, R> JangleRegistration query(Class<Q> type, QueryHandler<Q, R> handler,
                                                          String... readsFrom) {
        return new QueryType<>(type, handler, List.of(readsFrom));
    }

    /** See {@link #aggregate}. */
    record AggregateType<A extends Aggregate>(Class<A> type, Function<String, A> factory)
            implements JangleRegistration {
        public AggregateType {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(factory, "factory");
        }

        @Override
        public void register(JangleBuilder builder) {
            builder.aggregate(type, factory);
        }
    }

    /** See {@link #saga}. */
    record SagaType<S extends Saga>(Class<S> type, Function<String, S> factory, Consumer<SagaRoutes> routes)
            implements JangleRegistration {
        public SagaType {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(factory, "factory");
            Objects.requireNonNull(routes, "routes");
        }

        @Override
        public void register(JangleBuilder builder) {
            builder.saga(type, factory, routes);
        }
    }

    /** See {@link #reactor} and {@link #projection}. */
    record Handler<E extends Event>(String name, Class<E> type, EventHandler<E> handler, boolean replayable)
            implements JangleRegistration {
        public Handler {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(handler, "handler");
        }

        @Override
        public void register(JangleBuilder builder) {
            if (replayable) builder.projection(name, type, handler);
            else builder.reactor(name, type, handler);
        }
    }

    /** See {@link #query}. */
    record QueryType<Q extends Query<R>, R>(Class<Q> type, QueryHandler<Q, R> handler, List<String> readsFrom)
            implements JangleRegistration {
        public QueryType {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(handler, "handler");
            readsFrom = List.copyOf(readsFrom);
        }

        @Override
        public void register(JangleBuilder builder) {
            builder.query(type, handler, readsFrom.toArray(String[]::new));
        }
    }
}
