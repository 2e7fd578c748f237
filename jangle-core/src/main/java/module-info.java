/**
 * Jangle's core: messages, aggregates, command handling, dispatch, sagas, queries and the in-memory stores.
 *
 * <p>Exports the API ({@code jangle}), the store SPI ({@code jangle.spi}) and the in-memory stores
 * ({@code jangle.memory}); {@code jangle.internal} (handler binding, fast ids) is not exported, so no caller can come
 * to depend on it. On the module path, an application's packages holding aggregates, sagas and handlers must be open
 * to {@code jangle.core}, which binds their annotated methods once with private lookups.
 */
module jangle.core {
    requires transitive org.slf4j;

    exports jangle;
    exports jangle.spi;
    exports jangle.memory;
}
