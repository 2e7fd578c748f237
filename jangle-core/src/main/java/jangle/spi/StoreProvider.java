package jangle.spi;

/**
 * Opens an application's stores once its types are known. Given to {@code JangleBuilder.stores(...)}; called by
 * {@code build()} with the registered types, so serialization can be wired without any global registry.
 */
@FunctionalInterface
public interface StoreProvider {
    Stores open(StoreContext context);
}
