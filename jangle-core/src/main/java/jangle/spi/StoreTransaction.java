package jangle.spi;

import java.util.Optional;

/**
 * The store's open transaction, lent to a projection's batch (D18) so that its read-model writes commit together with
 * its checkpoint. A JDBC store offers its {@code java.sql.Connection}; the in-memory store offers nothing, and a
 * projection that writes elsewhere ignores it (it is then at-least-once, with idempotent writes). Valid only during
 * the call it is passed to.
 */
public interface StoreTransaction {
    /** The transaction as {@code type} when the store offers it so; empty otherwise. */
    <T> Optional<T> unwrap(Class<T> type);

    /** A transaction that offers nothing. */
    StoreTransaction NONE = new StoreTransaction() {
        @Override
        public <T> Optional<T> unwrap(Class<T> type) {
            return Optional.empty();
        }
    };
}
