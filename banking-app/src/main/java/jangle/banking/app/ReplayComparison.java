package jangle.banking.app;

import jangle.banking.app.views.ViewTables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Row-by-row comparison of two dumps of the read models ({@link ViewTables#dump}). */
final class ReplayComparison {
    private ReplayComparison() {
    }

    /** Every row whose key is missing on one side or whose values differ, table by table, keys in order. */
    static List<RowDifference> compare(Map<String, List<List<Object>>> live, Map<String, List<List<Object>>> rebuilt) {
        List<RowDifference> differences = new ArrayList<>();
        for (ViewTables.Table t : ViewTables.TABLES) {
            Map<String, List<Object>> l = byKey(t, live.getOrDefault(t.name(), List.of()));
            Map<String, List<Object>> r = byKey(t, rebuilt.getOrDefault(t.name(), List.of()));
            TreeMap<String, Boolean> keys = new TreeMap<>();
            l.keySet().forEach(k -> keys.put(k, true));
            r.keySet().forEach(k -> keys.put(k, true));
            for (String key : keys.keySet()) {
                List<Object> a = l.get(key);
                List<Object> b = r.get(key);
                if (!Objects.equals(a, b)) {
                    differences.add(new RowDifference(t.name(), key, ViewTables.describe(t, a),
                            ViewTables.describe(t, b)));
                }
            }
        }
        return List.copyOf(differences);
    }

    private static Map<String, List<Object>> byKey(ViewTables.Table t, List<List<Object>> rows) {
        Map<String, List<Object>> m = new TreeMap<>();
        for (List<Object> row : rows) m.put(ViewTables.keyOf(t, row), row);
        return m;
    }
}
