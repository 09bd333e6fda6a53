package io.vshard.manifest.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The distribution rules of every configured table; a table with no rule is unsharded (it lives on the
 * default shard). Lookups are case-insensitive and ignore a schema qualifier. Immutable, thread safe.
 */
public final class TableRules {
    private final Map<String, TableRule> byName = new LinkedHashMap<>();

    /** Builds the rules. */
    public TableRules(List<TableRule> rules) {
        for (TableRule r : rules) {
            if (byName.put(r.name(), r) != null) {
                throw new IllegalArgumentException("table " + r.name() + " has two rules");
            }
        }
    }

    /** The rule of {@code table} ({@code schema.table} accepted), or {@code null} if it has none. */
    public TableRule find(String table) {
        String t = table.toLowerCase(Locale.ROOT);
        int dot = t.lastIndexOf('.');
        if (dot >= 0) {
            t = t.substring(dot + 1);
        }
        if (t.length() > 1 && (t.charAt(0) == '"' || t.charAt(0) == '`')) {
            t = t.substring(1, t.length() - 1);
        }
        return byName.get(t);
    }

    /** Whether {@code table} is sharded. */
    public boolean isSharded(String table) {
        TableRule r = find(table);
        return r != null && r.kind() == TableRule.Kind.SHARDED;
    }

    /** All rules in configuration order. */
    public List<TableRule> all() {
        return List.copyOf(byName.values());
    }
}
