package jangle;

import jangle.internal.Binder;
import jangle.internal.Invokers;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The discovered, bound behaviour of one aggregate class (A4, A5): validators by command type and reconstitutors by
 * event type, found once when the class is registered, checked, and bound to {@link Invokers} shapes. Handling a
 * message is then a map lookup and a plain interface call.
 */
final class AggregateBinding<A extends Aggregate> {
    /** A bound validator; {@code withVersion} says whether it takes {@code nextVersion}. */
    record Validator(String methodName, Class<? extends Command> commandType, Object invoker) {
        CommandResponse call(Aggregate target, Command command, long nextVersion) {
            Object result;
            if (invoker instanceof Invokers.ValidatorResult f) {
                result = f.call(target, command);
            } else if (invoker instanceof Invokers.ValidatorResultVersion f) {
                result = f.call(target, command, nextVersion);
            } else if (invoker instanceof Invokers.ValidatorVoid f) {
                f.call(target, command);
                result = null;
            } else {
                ((Invokers.ValidatorVoidVersion) invoker).call(target, command, nextVersion);
                result = null;
            }
            return result == null ? CommandResponse.accepted() : (CommandResponse) result;
        }
    }

    /** A bound reconstitutor. */
    record Reconstitutor(String methodName, Class<? extends Event> eventType, Object invoker) {
        void call(Aggregate target, EventRecord<?> record) {
            if (invoker instanceof Invokers.Applier f) {
                f.call(target, record.event());
            } else {
                ((Invokers.ApplierRecord) invoker).call(target, record.event(), record);
            }
        }
    }

    private final Class<A> type;
    private final Map<Class<?>, Validator> validators;
    private final Map<Class<?>, Reconstitutor> reconstitutors;
    private final Class<? extends Record> snapshotStateType;
    private final String snapshotFingerprintBase;
    private final boolean payloadOnly;

    private AggregateBinding(Class<A> type, Map<Class<?>, Validator> validators,
                             Map<Class<?>, Reconstitutor> reconstitutors, Class<? extends Record> snapshotStateType) {
        this.type = type;
        this.validators = validators;
        this.reconstitutors = reconstitutors;
        this.payloadOnly = reconstitutors.values().stream().allMatch(r -> r.invoker() instanceof Invokers.Applier);
        this.snapshotStateType = snapshotStateType;
        this.snapshotFingerprintBase = snapshotStateType == null ? null
                : Fingerprints.of(type, snapshotStateType);
    }

    Class<A> type() {
        return type;
    }

    Map<Class<?>, Validator> validators() {
        return validators;
    }

    Map<Class<?>, Reconstitutor> reconstitutors() {
        return reconstitutors;
    }

    /** The state record of a {@link Snapshottable} aggregate, or null. */
    Class<? extends Record> snapshotStateType() {
        return snapshotStateType;
    }

    /** The S3 fingerprint for the given schema version. */
    String fingerprint(int snapshotSchemaVersion) {
        return snapshotFingerprintBase + "-v" + snapshotSchemaVersion;
    }

    Validator validator(Class<?> commandType) {
        return validators.get(commandType);
    }

    /**
     * Whether every reconstitutor takes the event payload alone (A2): then an event applied before its commit, without
     * a position yet, changes the aggregate exactly as its committed record will (H10).
     */
    boolean payloadOnly() {
        return payloadOnly;
    }

    /** Applies one event: sets the version first (A3), then calls the reconstitutor (A8 when there is none). */
    void apply(Aggregate aggregate, EventRecord<?> record) {
        Reconstitutor r = reconstitutors.get(record.event().getClass());
        if (r == null) {
            throw new MissingHandlerException(MissingHandlerException.Kind.RECONSTITUTOR, record.type(),
                    type.getName() + " has no @ReconstituteState method for event type '" + record.type()
                            + "' (event " + record.eventId() + ", version " + record.version() + ")");
        }
        aggregate.frameworkSetVersion(record.version());
        try {
            r.call(aggregate, record);
        } catch (RuntimeException | Error e) {
            throw new AggregateException(type.getName(), aggregate.id(), r.methodName(), record.type(), e);
        }
    }

    /**
     * Discovers and binds {@code type}'s annotated methods, including inherited ones. Every problem is added to
     * {@code problems} naming class and method (A4); the result is null when there were any.
     */
    static <A extends Aggregate> AggregateBinding<A> bind(Class<A> type, List<String> problems) {
        int before = problems.size();
        if (Modifier.isAbstract(type.getModifiers())) {
            problems.add("aggregate " + type.getName() + " is abstract; register a concrete class");
        }
        var validators = new HashMap<Class<?>, Validator>();
        var reconstitutors = new HashMap<Class<?>, Reconstitutor>();
        Set<String> seenSignatures = new HashSet<>();
        for (Class<?> c = type; c != null && c != Aggregate.class && c != Object.class; c = c.getSuperclass()) {
            for (Method m : sortedDeclared(c)) {
                if (m.isSynthetic() || m.isBridge()) continue;
                String signature = m.getName() + java.util.Arrays.toString(m.getParameterTypes());
                boolean validate = m.isAnnotationPresent(ValidateCommand.class);
                boolean reconstitute = m.isAnnotationPresent(ReconstituteState.class);
                if (!validate && !reconstitute) {
                    seenSignatures.add(signature);
                    continue;
                }
                if (!seenSignatures.add(signature)) continue; // overridden in a subclass: the override wins
                String where = c.getName() + "." + m.getName();
                if (validate && reconstitute) {
                    problems.add(where + " has both @ValidateCommand and @ReconstituteState");
                    continue;
                }
                if (Modifier.isStatic(m.getModifiers())) {
                    problems.add(where + " is static; annotated aggregate methods must be instance methods");
                    continue;
                }
                if (validate) bindValidator(m, where, validators, problems);
                else bindReconstitutor(m, where, reconstitutors, problems);
            }
        }
        Class<? extends Record> stateType = null;
        if (Snapshottable.class.isAssignableFrom(type)) {
            stateType = snapshotStateType(type);
            if (stateType == null) {
                problems.add("aggregate " + type.getName() + " implements Snapshottable but its state type could not "
                        + "be resolved to a record class; declare it as Snapshottable<YourStateRecord>");
            }
        }
        if (problems.size() > before) return null;
        return new AggregateBinding<>(type, Map.copyOf(validators), Map.copyOf(reconstitutors), stateType);
    }

    private static List<Method> sortedDeclared(Class<?> c) {
        var methods = new ArrayList<>(List.of(c.getDeclaredMethods()));
        methods.sort(java.util.Comparator.comparing(Method::getName)
                .thenComparing(m -> java.util.Arrays.toString(m.getParameterTypes())));
        return methods;
    }

    @SuppressWarnings("unchecked")
    private static void bindValidator(Method m, String where, Map<Class<?>, Validator> out, List<String> problems) {
        Class<?>[] p = m.getParameterTypes();
        Class<?> ret = m.getReturnType();
        if (p.length < 1 || p.length > 2 || !Command.class.isAssignableFrom(p[0])
                || (p.length == 2 && p[1] != long.class)) {
            problems.add(where + ": a @ValidateCommand method takes (SomeCommand command) or (SomeCommand command, "
                    + "long nextVersion) (A1)");
            return;
        }
        if (ret != void.class && ret != CommandResponse.class) {
            problems.add(where + ": a @ValidateCommand method returns CommandResponse or void (A1), not "
                    + ret.getSimpleName());
            return;
        }
        if (p[0].isInterface() || Modifier.isAbstract(p[0].getModifiers())) {
            problems.add(where + ": the command parameter must be a concrete command record, not " + p[0].getName());
            return;
        }
        Class<? extends Command> commandType = (Class<? extends Command>) p[0];
        Validator existing = out.get(commandType);
        if (existing != null) {
            problems.add(where + " and " + existing.methodName() + " both validate " + commandType.getName()
                    + " (A4: one method per command type)");
            return;
        }
        Class<?> shape = ret == void.class
                ? (p.length == 1 ? Invokers.ValidatorVoid.class : Invokers.ValidatorVoidVersion.class)
                : (p.length == 1 ? Invokers.ValidatorResult.class : Invokers.ValidatorResultVersion.class);
        try {
            out.put(commandType, new Validator(where, commandType, Binder.bind(m, shape)));
        } catch (RuntimeException e) {
            problems.add(where + ": cannot bind: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static void bindReconstitutor(Method m, String where, Map<Class<?>, Reconstitutor> out,
                                          List<String> problems) {
        Class<?>[] p = m.getParameterTypes();
        if (p.length < 1 || p.length > 2 || !Event.class.isAssignableFrom(p[0])
                || (p.length == 2 && p[1] != EventRecord.class) || m.getReturnType() != void.class) {
            problems.add(where + ": a @ReconstituteState method is void and takes (SomeEvent event) or (SomeEvent "
                    + "event, EventRecord<?> record) (A2)");
            return;
        }
        if (p[0].isInterface() || Modifier.isAbstract(p[0].getModifiers())) {
            problems.add(where + ": the event parameter must be a concrete event record, not " + p[0].getName());
            return;
        }
        Class<? extends Event> eventType = (Class<? extends Event>) p[0];
        Reconstitutor existing = out.get(eventType);
        if (existing != null) {
            problems.add(where + " and " + existing.methodName() + " both reconstitute " + eventType.getName()
                    + " (A4: one method per event type)");
            return;
        }
        Class<?> shape = p.length == 1 ? Invokers.Applier.class : Invokers.ApplierRecord.class;
        try {
            out.put(eventType, new Reconstitutor(where, eventType, Binder.bind(m, shape)));
        } catch (RuntimeException e) {
            problems.add(where + ": cannot bind: " + e.getMessage());
        }
    }

    /** Resolves S of Snapshottable&lt;S&gt; declared on the class or a superclass. */
    @SuppressWarnings("unchecked")
    private static Class<? extends Record> snapshotStateType(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType pt && pt.getRawType() == Snapshottable.class) {
                    Type arg = pt.getActualTypeArguments()[0];
                    if (arg instanceof Class<?> k && k.isRecord()) return (Class<? extends Record>) k;
                    return null;
                }
            }
        }
        return null;
    }
}
