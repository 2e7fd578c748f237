package jangle;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Snapshot fingerprints (S3): a hash of the aggregate class name and the state record's component names and types,
 * recursively through nested records, enums and type arguments. A change of shape changes the fingerprint, so old
 * snapshots are discarded by themselves.
 */
final class Fingerprints {
    private Fingerprints() {
    }

    static String of(Class<?> aggregateType, Class<? extends Record> stateType) {
        var sb = new StringBuilder(aggregateType.getName()).append('|');
        describe(stateType, sb, new HashSet<>());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    private static void describe(Type type, StringBuilder sb, Set<Type> seen) {
        if (type instanceof Class<?> c) {
            sb.append(c.getName());
            if (!seen.add(c)) return;
            if (c.isRecord()) {
                sb.append('{');
                for (RecordComponent rc : c.getRecordComponents()) {
                    sb.append(rc.getName()).append(':');
                    describe(rc.getGenericType(), sb, seen);
                    sb.append(';');
                }
                sb.append('}');
            } else if (c.isEnum()) {
                sb.append('{');
                for (Object constant : c.getEnumConstants()) sb.append(((Enum<?>) constant).name()).append(',');
                sb.append('}');
            } else if (c.isArray()) {
                describe(c.getComponentType(), sb, seen);
            }
        } else if (type instanceof ParameterizedType pt) {
            describe(pt.getRawType(), sb, seen);
            sb.append('<');
            for (Type arg : pt.getActualTypeArguments()) {
                describe(arg, sb, seen);
                sb.append(',');
            }
            sb.append('>');
        } else if (type instanceof WildcardType wt) {
            sb.append('?');
            for (Type b : wt.getUpperBounds()) describe(b, sb, seen);
        } else {
            sb.append(type.getTypeName());
        }
    }
}
