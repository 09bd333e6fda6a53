package io.vshard.manifest.config;

import java.util.Locale;

/**
 * How one table is distributed.
 *
 * @param name the table name, lower case
 * @param kind sharded, broadcast or unsharded
 * @param creatorColumn the {@code creator_id} column of a sharded table, lower case, else {@code null}
 * @param regionColumn the {@code region} column of a sharded table, lower case, or {@code null}
 * @param windowColumn the ISO-week window column of a ledger table, lower case, or {@code null}
 * @param primaryKey the primary-key column, lower case, or {@code null} when not declared
 */
public record TableRule(
        String name, Kind kind, String creatorColumn, String regionColumn, String windowColumn, String primaryKey) {

    public TableRule {
        name = lower(name);
        creatorColumn = lower(creatorColumn);
        regionColumn = lower(regionColumn);
        windowColumn = lower(windowColumn);
        primaryKey = lower(primaryKey);
        if (kind == Kind.SHARDED && creatorColumn == null) {
            throw new IllegalArgumentException("sharded table " + name + " needs a creator_id column");
        }
    }

    /** How a table is distributed. */
    public enum Kind {
        /** Rows placed by shard key. */
        SHARDED,
        /** Reference data copied to every shard. */
        BROADCAST,
        /** Lives on the default shard only. */
        UNSHARDED
    }

    /** Whether rows carry a window column (ledger tables). */
    public boolean windowed() {
        return windowColumn != null;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
