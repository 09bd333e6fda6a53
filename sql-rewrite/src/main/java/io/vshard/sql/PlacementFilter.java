package io.vshard.sql;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;

/**
 * The per-row placement check of a fan-out read during a migration. A row copied to its new place also
 * stays at its old place until the old layout is drained, so a read of every location sees it twice; each
 * per-shard statement therefore returns the row's shard key in hidden columns, and the merge keeps a row only
 * where {@link Placement#locate} says the key lives now: its old place while the cohort is PLANNED, COPYING
 * or FENCED, its new place once NEW (and while a rollback copies it back), the new version for ledger rows
 * of the effective window on. For aggregates the per-shard statements group by the key as well, so what is
 * checked is one partial per key, and the merge re-aggregates what it keeps. Immutable and thread safe.
 *
 * <p>Column numbers are 0-based positions in the per-shard result; negative numbers count from the end
 * (-1 is the last column) until {@link #resolve(int)} makes them absolute.
 *
 * @param state the routing state the read was planned with (the same snapshot that chose its shards)
 * @param table the sharded table whose key the hidden columns carry
 * @param creatorColumn the column holding the creator id
 * @param regionColumn the column holding the region, or {@link Integer#MIN_VALUE} when the table has none
 * @param windowColumn the column holding the window of a ledger table, or {@link Integer#MIN_VALUE}
 */
public record PlacementFilter(
        RoutingState state, TableRule table, int creatorColumn, int regionColumn, int windowColumn) {
    /** Marks a key part the table does not have. */
    public static final int ABSENT = Integer.MIN_VALUE;

    /** This filter with positions counted from the end made absolute, for results of {@code columnCount}. */
    public PlacementFilter resolve(int columnCount) {
        return new PlacementFilter(
                state,
                table,
                at(creatorColumn, columnCount),
                at(regionColumn, columnCount),
                at(windowColumn, columnCount));
    }

    private static int at(int column, int columnCount) {
        return column == ABSENT || column >= 0 ? column : columnCount + column;
    }

    /**
     * Whether {@code row}, read at {@code readFrom}, is the copy reads must see. A row whose creator id is
     * NULL, or whose window is not a window id, has no placement (vshard refuses such writes, and the migrator
     * refuses to copy such a row, so it exists in one place only) and is kept where it was found.
     */
    public boolean keeps(Object[] row, ShardLocation readFrom) {
        Object creator = row[creatorColumn];
        if (creator == null) {
            return true;
        }
        String region = regionColumn == ABSENT || row[regionColumn] == null ? null : row[regionColumn].toString();
        WindowId window = null;
        if (windowColumn != ABSENT && row[windowColumn] != null) {
            try {
                window = WindowId.parse(row[windowColumn].toString());
            } catch (IllegalArgumentException written) {
                return true;
            }
        }
        ShardKey key = ShardKey.of(ShardKey.creatorIdOf(creator), region);
        for (LogicalShard s : Placement.locate(state, table, key, window).candidates()) {
            if (s.location().equals(readFrom)) {
                return true;
            }
        }
        return false;
    }
}
