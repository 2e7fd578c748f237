package jangle.test;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the first difference between two object graphs, by field, for the A7 mutation check. Values whose class
 * defines {@code equals} (records, collections, maps, {@code BigDecimal}, strings) are compared with it, after their
 * elements are walked for a more precise path; other objects are compared field by field, so two equal mutable helper
 * objects without {@code equals} are not reported as different. Test-time only: reflection is fine here.
 */
final class FieldDiff {
    private static final int MAX_DEPTH = 32;

    private FieldDiff() {
    }

    /**
     * The path of the first differing declared instance field of {@code a} and {@code b}, walking their classes from
     * the most derived one up to (excluding) {@code stopAt}; static, synthetic and transient fields are skipped.
     */
    static Optional<String> firstDifference(Object a, Object b, Class<?> stopAt) {
        return fields(a, b, a.getClass(), stopAt, "", 0, new IdentityHashMap<>());
    }

    private static Optional<String> fields(Object a, Object b, Class<?> type, Class<?> stopAt, String prefix,
                                           int depth, IdentityHashMap<Object, Object> seen) {
        for (Class<?> c = type; c != null && c != stopAt && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) continue;
                Object va;
                Object vb;
                try {
                    f.setAccessible(true);
                    va = f.get(a);
                    vb = f.get(b);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalStateException("cannot read field '" + f.getName() + "' of " + c.getName()
                            + " for the A7 check (open its package to jangle-test)", e);
                }
                Optional<String> d = value(va, vb, prefix + f.getName(), depth + 1, seen);
                if (d.isPresent()) return d;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> value(Object a, Object b, String path, int depth,
                                          IdentityHashMap<Object, Object> seen) {
        if (a == b) return Optional.empty();
        if (a == null || b == null || a.getClass() != b.getClass()) return Optional.of(path);
        if (depth > MAX_DEPTH || seen.put(a, b) != null) return Optional.empty(); // cycle or very deep: same shape
        Class<?> c = a.getClass();
        if (c.isArray()) {
            int n = Array.getLength(a);
            if (n != Array.getLength(b)) return Optional.of(path);
            for (int i = 0; i < n; i++) {
                Optional<String> d = value(Array.get(a, i), Array.get(b, i), path + "[" + i + "]", depth + 1, seen);
                if (d.isPresent()) return d;
            }
            return Optional.empty();
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) return Optional.of(path);
            for (int i = 0; i < la.size(); i++) {
                Optional<String> d = value(la.get(i), lb.get(i), path + "[" + i + "]", depth + 1, seen);
                if (d.isPresent()) return d;
            }
            return Optional.empty();
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (!ma.keySet().equals(mb.keySet())) return Optional.of(path);
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                Optional<String> d = value(e.getValue(), mb.get(e.getKey()), path + "[" + e.getKey() + "]",
                        depth + 1, seen);
                if (d.isPresent()) return d;
            }
            return Optional.empty();
        }
        if (a instanceof Collection<?> ca && b instanceof Collection<?> cb) {
            if (ca.size() != cb.size()) return Optional.of(path);
            if (definesEquals(c)) return Objects.equals(a, b) ? Optional.empty() : Optional.of(path);
            Iterator<?> ia = ca.iterator();
            Iterator<?> ib = cb.iterator();
            for (int i = 0; ia.hasNext(); i++) {
                Optional<String> d = value(ia.next(), ib.next(), path + "[" + i + "]", depth + 1, seen);
                if (d.isPresent()) return d;
            }
            return Optional.empty();
        }
        if (c.isRecord() || c.isEnum() || definesEquals(c)) {
            return Objects.equals(a, b) ? Optional.empty() : Optional.of(path);
        }
        if (c.getName().startsWith("java.") || c.getName().startsWith("javax.")) {
            // JDK classes without equals (AtomicLong, StringBuilder) are closed to reflection: compare their text
            return String.valueOf(a).equals(String.valueOf(b)) ? Optional.empty() : Optional.of(path);
        }
        return fields(a, b, c, Object.class, path + ".", depth, seen);
    }

    /** Whether {@code c} or a superclass other than Object declares {@code equals(Object)}. */
    private static boolean definesEquals(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            try {
                k.getDeclaredMethod("equals", Object.class);
                return true;
            } catch (NoSuchMethodException e) {
                // keep looking up the chain
            }
        }
        return false;
    }
}
