package jangle;

import jangle.internal.Binder;
import jangle.internal.Invokers;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The discovered, checked and bound behaviour of one saga class (§9, SG1, SG11), built once at {@code build()}.
 * {@link ReconstituteSagaState} and {@link EventReceiver} methods are found including inherited ones (an override
 * wins), their signatures checked (every problem names class and method), and bound to {@link Invokers} shapes with
 * {@code LambdaMetafactory}: evaluating a saga is then map lookups and plain interface calls, never reflection.
 * Receivers are kept in ascending (order, method name) (SG1).
 */
final class SagaBinding {
    /** A bound {@code @ReconstituteSagaState} method. */
    record Reconstitutor(String methodName, Class<? extends Event> eventType, String typeName, boolean addToFlags,
                         Invokers.Applier invoker) {
    }

    /** A bound {@code @EventReceiver} method with its conditions as type names; {@code retryAfter} null = default. */
    record Receiver(String methodName, Class<? extends Event> trigger, String triggerName, boolean requireTrigger,
                    List<String> required, List<String> skipIfAny, Duration retryAfter, int order,
                    Invokers.Runner invoker) {
    }

    private final Class<? extends Saga> type;
    private final String typeName;
    private final Function<String, ? extends Saga> factory;
    private final Map<Class<? extends Event>, Function<Event, String>> routes;
    private final Map<String, Class<? extends Event>> routedTypes;
    private final Map<Class<?>, Reconstitutor> reconstitutors;
    private final Map<Class<?>, Receiver> receiversByTrigger;
    private final List<Receiver> receivers;

    private SagaBinding(Class<? extends Saga> type, Function<String, ? extends Saga> factory,
                        Map<Class<? extends Event>, Function<Event, String>> routes,
                        Map<String, Class<? extends Event>> routedTypes, Map<Class<?>, Reconstitutor> reconstitutors,
                        List<Receiver> receivers) {
        this.type = type;
        this.typeName = type.getSimpleName();
        this.factory = factory;
        this.routes = Map.copyOf(routes);
        this.routedTypes = Collections.unmodifiableMap(routedTypes);
        this.reconstitutors = Map.copyOf(reconstitutors);
        this.receivers = List.copyOf(receivers);
        Map<Class<?>, Receiver> byTrigger = new HashMap<>();
        for (Receiver r : receivers) byTrigger.put(r.trigger(), r);
        this.receiversByTrigger = Map.copyOf(byTrigger);
    }

    Class<? extends Saga> type() {
        return type;
    }

    /** The saga type name: the class's simple name (stored with each saga, SG7). */
    String typeName() {
        return typeName;
    }

    /** The reactor that delivers this saga's routed events (§9). */
    String handlerName() {
        return "saga:" + typeName;
    }

    /** Routed event type name → class, in route order. */
    Map<String, Class<? extends Event>> routedTypes() {
        return routedTypes;
    }

    boolean isRouted(Class<?> eventType) {
        return routes.containsKey(eventType);
    }

    /** The saga id the route of this event computes. */
    String sagaIdOf(Event event) {
        Function<Event, String> route = routes.get(event.getClass());
        if (route == null) {
            throw new IllegalStateException("saga " + typeName + " has no route for " + event.getClass().getName());
        }
        String id = route.apply(event);
        if (id == null || id.isBlank()) {
            throw new IllegalStateException("the route of saga " + typeName + " for " + event.getClass().getSimpleName()
                    + " returned no saga id");
        }
        return id;
    }

    Saga create(String sagaId) {
        Saga saga = factory.apply(sagaId);
        if (saga == null || !type.isInstance(saga)) {
            throw new IllegalStateException("the factory of saga " + typeName + " returned " + saga);
        }
        if (!sagaId.equals(saga.sagaId())) {
            throw new IllegalStateException("the factory of saga " + typeName + " was asked for id '" + sagaId
                    + "' but built '" + saga.sagaId() + "'");
        }
        return saga;
    }

    Reconstitutor reconstitutor(Class<?> eventType) {
        return reconstitutors.get(eventType);
    }

    Receiver receiverFor(Class<?> eventType) {
        return receiversByTrigger.get(eventType);
    }

    /** All receivers in ascending (order, method name) (SG1). */
    List<Receiver> receivers() {
        return receivers;
    }

    /**
     * Discovers, checks and binds a saga class. Every problem is added to {@code problems}; returns null when there
     * were any (SG11).
     */
    static SagaBinding bind(SagaRegistration<?> reg, TypeRegistry types, List<String> problems) {
        int before = problems.size();
        Class<? extends Saga> type = reg.type();
        Map<Class<?>, String> names = new HashMap<>();
        for (TypeRegistry.EventTypeInfo info : types.all()) names.put(info.type(), info.name());
        if (Modifier.isAbstract(type.getModifiers())) {
            problems.add("saga " + type.getName() + " is abstract; register a concrete class");
        }
        Map<Class<?>, Reconstitutor> reconstitutors = new LinkedHashMap<>();
        List<Receiver> receivers = new ArrayList<>();
        Map<Class<?>, String> receiverMethods = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Class<?> c = type; c != null && c != Saga.class && c != Object.class; c = c.getSuperclass()) {
            Method[] methods = c.getDeclaredMethods();
            Arrays.sort(methods, Comparator.comparing(Method::getName)
                    .thenComparing(m -> Arrays.toString(m.getParameterTypes())));
            for (Method m : methods) {
                if (m.isSynthetic() || m.isBridge()) continue;
                String signature = m.getName() + Arrays.toString(m.getParameterTypes());
                ReconstituteSagaState rs = m.getAnnotation(ReconstituteSagaState.class);
                EventReceiver er = m.getAnnotation(EventReceiver.class);
                if (!seen.add(signature)) continue; // overridden in a subclass: the override wins
                if (rs == null && er == null) continue;
                String where = c.getName() + "." + m.getName();
                if (rs != null && er != null) {
                    problems.add(where + " has both @ReconstituteSagaState and @EventReceiver");
                    continue;
                }
                if (Modifier.isStatic(m.getModifiers())) {
                    problems.add(where + " is static; annotated saga methods must be instance methods");
                    continue;
                }
                if (m.getReturnType() != void.class) {
                    problems.add(where + " must return void");
                    continue;
                }
                if (rs != null) {
                    bindReconstitutor(m, where, rs, names, reconstitutors, problems);
                } else {
                    bindReceiver(m, where, er, names, receivers, receiverMethods, problems);
                }
            }
        }
        Map<String, Class<? extends Event>> routedTypes = new LinkedHashMap<>();
        for (Class<? extends Event> routed : reg.routes().keySet()) {
            String name = names.get(routed);
            if (name == null) {
                problems.add("saga " + type.getName() + " routes " + routed.getName()
                        + ", which is not in a registered event family (JangleBuilder.events)");
                continue;
            }
            routedTypes.put(name, routed);
            if (!reconstitutors.containsKey(routed)) {
                problems.add("saga " + type.getName() + " routes " + routed.getName()
                        + " but has no @ReconstituteSagaState method for it (SG11)");
            }
            if (!receiverMethods.containsKey(routed)) {
                problems.add("saga " + type.getName() + " routes " + routed.getName()
                        + " but has no @EventReceiver for it (SG11)");
            }
        }
        if (problems.size() > before) return null;
        receivers.sort(Comparator.comparingInt(Receiver::order).thenComparing(Receiver::methodName));
        return new SagaBinding(type, reg.factory(), reg.routes(), routedTypes, reconstitutors, receivers);
    }

    @SuppressWarnings("unchecked")
    private static void bindReconstitutor(Method m, String where, ReconstituteSagaState rs, Map<Class<?>, String> names,
                                          Map<Class<?>, Reconstitutor> out, List<String> problems) {
        if (m.getParameterCount() != 1 || !Event.class.isAssignableFrom(m.getParameterTypes()[0])) {
            problems.add(where + " must take exactly one event parameter: void " + m.getName() + "(SomeEvent e)");
            return;
        }
        Class<? extends Event> eventType = (Class<? extends Event>) m.getParameterTypes()[0];
        String name = names.get(eventType);
        if (name == null) {
            problems.add(where + " reconstitutes " + eventType.getName()
                    + ", which is not in a registered event family (JangleBuilder.events)");
            return;
        }
        Reconstitutor previous = out.get(eventType);
        if (previous != null) {
            problems.add(where + " and " + previous.methodName() + " both reconstitute " + eventType.getName()
                    + " (SG11: one reconstitutor per event type)");
            return;
        }
        Invokers.Applier invoker = bindOrReport(m, where, Invokers.Applier.class, problems);
        if (invoker != null) {
            out.put(eventType, new Reconstitutor(where, eventType, name, rs.addToFlags(), invoker));
        }
    }

    private static void bindReceiver(Method m, String where, EventReceiver er, Map<Class<?>, String> names,
                                     List<Receiver> out, Map<Class<?>, String> byTrigger, List<String> problems) {
        if (m.getParameterCount() != 0) {
            problems.add(where + " is an @EventReceiver and must take no parameters");
            return;
        }
        String trigger = names.get(er.value());
        if (trigger == null) {
            problems.add(where + " is triggered by " + er.value().getName()
                    + ", which is not in a registered event family (JangleBuilder.events)");
            return;
        }
        List<String> required = flagNames(er.requiredFlags(), names, where, "requiredFlags", problems);
        List<String> skip = flagNames(er.skipIfAnyFlags(), names, where, "skipIfAnyFlags", problems);
        if (required == null || skip == null) return;
        String previous = byTrigger.putIfAbsent(er.value(), where);
        if (previous != null) {
            problems.add(where + " and " + previous + " are both @EventReceivers for " + er.value().getName()
                    + " (SG11: one receiver per event type)");
            return;
        }
        Invokers.Runner invoker = bindOrReport(m, where, Invokers.Runner.class, problems);
        if (invoker == null) return;
        Duration retryAfter = er.retryAfterSeconds() < 0 ? null : Duration.ofSeconds(er.retryAfterSeconds());
        out.add(new Receiver(m.getName(), er.value(), trigger, er.requireEventTypeInFlags(), required, skip,
                retryAfter, er.order(), invoker));
    }

    private static List<String> flagNames(Class<? extends Event>[] types, Map<Class<?>, String> names, String where,
                                          String attribute, List<String> problems) {
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (Class<? extends Event> t : types) {
            String n = names.get(t);
            if (n == null) {
                problems.add(where + " names " + t.getName() + " in " + attribute
                        + ", which is not in a registered event family (JangleBuilder.events)");
                ok = false;
            } else {
                out.add(n);
            }
        }
        return ok ? List.copyOf(out) : null;
    }

    private static <T> T bindOrReport(Method m, String where, Class<T> shape, List<String> problems) {
        try {
            return Binder.bind(m, shape);
        } catch (RuntimeException e) {
            problems.add(where + " cannot be bound: " + e.getMessage());
            return null;
        }
    }
}
