package jangle.banking.app.views;

import jangle.jdbc.SqlScripts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A generation of the {@code bank-views} tables: the live one, which queries read and live dispatch writes, or the
 * next one, which a rebuild fills beside it and then switches in (R6). The one place that turns a table's base name
 * into a generation's name: the schema template and the rebuild's statements write {@code {bank_summary}}, and
 * {@link #render} fills in {@code bank_summary} or {@code bank_summary_next}. The lookup tables have one generation.
 */
public enum ViewGeneration {
    /** The tables that serve queries: the base names. */
    LIVE(""),
    /** The tables a rebuild fills from position 0 while the live ones serve. */
    NEXT("_next");

    private final String suffix;
    private final Map<String, String> identifiers;

    ViewGeneration(String suffix) {
        this.suffix = suffix;
        Map<String, String> names = new LinkedHashMap<>();
        for (String table : BankViews.VIEW_TABLES) names.put(table, table + suffix);
        this.identifiers = java.util.Collections.unmodifiableMap(names);
    }

    /** This generation's name of the view table {@code base} (one of {@link BankViews#VIEW_TABLES}). */
    public String table(String base) {
        String name = identifiers.get(base);
        if (name == null) throw new IllegalArgumentException("not a bank-views table: " + base);
        return name;
    }

    /** Base name → this generation's name, for every view table, in {@link BankViews#VIEW_TABLES} order. */
    public Map<String, String> identifiers() {
        return identifiers;
    }

    /** The suffix this generation adds to a base name (empty for the live one). */
    public String suffix() {
        return suffix;
    }

    /** {@code template} with each {@code {table}} placeholder named for this generation, and {@code extra} as well. */
    public String render(String template, Map<String, String> extra) {
        if (extra.isEmpty()) return SqlScripts.render(template, identifiers);
        Map<String, String> all = new LinkedHashMap<>(identifiers);
        all.putAll(extra);
        return SqlScripts.render(template, all);
    }
}
