package jangle.internal;

/**
 * Functional shapes that annotated aggregate and saga methods are bound to once, with {@code LambdaMetafactory}
 * (A5): dispatch is then a plain interface call, never reflection. Public only because the generated classes live in
 * the user's package and must be able to implement them; not an API.
 */
public final class Invokers {
    private Invokers() {
    }

    /** {@code CommandResponse m(C command)}. */
    @FunctionalInterface
    public interface ValidatorResult {
        Object call(Object target, Object command);
    }

    /** {@code CommandResponse m(C command, long nextVersion)}. */
    @FunctionalInterface
    public interface ValidatorResultVersion {
        Object call(Object target, Object command, long nextVersion);
    }

    /** {@code void m(C command)}. */
    @FunctionalInterface
    public interface ValidatorVoid {
        void call(Object target, Object command);
    }

    /** {@code void m(C command, long nextVersion)}. */
    @FunctionalInterface
    public interface ValidatorVoidVersion {
        void call(Object target, Object command, long nextVersion);
    }

    /** {@code void m(E event)}, also used for saga reconstitutors. */
    @FunctionalInterface
    public interface Applier {
        void call(Object target, Object event);
    }

    /** {@code void m(E event, EventRecord<?> record)}. */
    @FunctionalInterface
    public interface ApplierRecord {
        void call(Object target, Object event, Object record);
    }

    /** {@code void m()}: a saga receiver. */
    @FunctionalInterface
    public interface Runner {
        void call(Object target);
    }
}
