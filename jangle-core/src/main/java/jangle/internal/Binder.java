package jangle.internal;

import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * Binds a discovered method to one of the {@link Invokers} shapes once, at registration (A5). Uses
 * {@link LambdaMetafactory} with a private lookup in the declaring class, so private and package-private methods
 * work; falls back to a bound {@link MethodHandle} when the metafactory refuses (the call is then still a direct
 * {@code invoke} of a constant handle, not {@code Method.invoke}). Not an API.
 */
public final class Binder {
    private Binder() {
    }

    /**
     * @param method the annotated method (instance method)
     * @param shape  one of the {@link Invokers} interfaces
     * @return an instance of {@code shape} calling {@code method}
     */
    public static <T> T bind(Method method, Class<T> shape) {
        Method sam = singleAbstractMethod(shape);
        Module user = method.getDeclaringClass().getModule();
        // the generated class lives in the user's module and implements a shape of this unexported package
        if (user.isNamed()) {
            Binder.class.getModule().addReads(user); // a private lookup needs this module to read the user's
            Binder.class.getModule().addExports(Binder.class.getPackageName(), user);
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(method.getDeclaringClass(),
                    MethodHandles.lookup());
            MethodHandle impl = lookup.unreflect(method);
            MethodType samType = MethodType.methodType(sam.getReturnType(), sam.getParameterTypes());
            MethodType dynamic = impl.type();
            try {
                CallSite site = LambdaMetafactory.metafactory(lookup, sam.getName(), MethodType.methodType(shape),
                        samType, impl, dynamic);
                return shape.cast(site.getTarget().invoke());
            } catch (Throwable lmfRefused) {
                return handleProxy(impl, shape, sam);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot access " + method + ": " + e.getMessage(), e);
        }
    }

    private static Method singleAbstractMethod(Class<?> shape) {
        for (Method m : shape.getMethods()) {
            if (java.lang.reflect.Modifier.isAbstract(m.getModifiers())) return m;
        }
        throw new IllegalArgumentException(shape + " is not a functional interface");
    }

    /** Fallback: an adapter over a constant method handle, typed to the shape's erased signature. */
    private static <T> T handleProxy(MethodHandle impl, Class<T> shape, Method sam) {
        MethodHandle generic = impl.asType(MethodType.methodType(sam.getReturnType(), sam.getParameterTypes()));
        Object adapter;
        if (shape == Invokers.ValidatorResult.class) {
            adapter = (Invokers.ValidatorResult) (t, c) -> invoke(() -> generic.invoke(t, c));
        } else if (shape == Invokers.ValidatorResultVersion.class) {
            adapter = (Invokers.ValidatorResultVersion) (t, c, v) -> invoke(() -> generic.invoke(t, c, v));
        } else if (shape == Invokers.ValidatorVoid.class) {
            adapter = (Invokers.ValidatorVoid) (t, c) -> invoke(() -> generic.invoke(t, c));
        } else if (shape == Invokers.ValidatorVoidVersion.class) {
            adapter = (Invokers.ValidatorVoidVersion) (t, c, v) -> invoke(() -> generic.invoke(t, c, v));
        } else if (shape == Invokers.Applier.class) {
            adapter = (Invokers.Applier) (t, e) -> invoke(() -> generic.invoke(t, e));
        } else if (shape == Invokers.ApplierRecord.class) {
            adapter = (Invokers.ApplierRecord) (t, e, r) -> invoke(() -> generic.invoke(t, e, r));
        } else if (shape == Invokers.Runner.class) {
            adapter = (Invokers.Runner) t -> invoke(() -> generic.invoke(t));
        } else {
            throw new IllegalArgumentException("unknown shape " + shape);
        }
        return shape.cast(adapter);
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object call() throws Throwable;
    }

    private static Object invoke(ThrowingCall call) {
        try {
            return call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.lang.reflect.UndeclaredThrowableException(t);
        }
    }
}
