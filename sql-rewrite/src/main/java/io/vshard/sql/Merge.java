package io.vshard.sql;

import java.util.List;

/**
 * How the engine merges the per-shard results of a fan-out read. Column numbers are 0-based positions in
 * the rewritten select list; columns at {@code visibleColumns} and beyond were added for the merge (for
 * example the COUNT behind an AVG, or an ORDER BY key not selected) and are not returned. When the select
 * list holds {@code *}, the router cannot count the columns: a negative column number then counts from the
 * end (-1 is the last column) and a {@code visibleColumns} of {@code -1 - k} hides the last {@code k}
 * columns; {@link #resolve(int)} turns such a merge into absolute positions once the column count is known.
 *
 * @param orderBy the sort keys; the per-shard results arrive sorted by them (streaming k-way merge)
 * @param offset rows to skip after merging
 * @param limit rows to return after the offset, or -1 for all
 * @param groupBy the grouping columns (empty with aggregates = one group)
 * @param aggregates the aggregate columns
 * @param distinct whether duplicate rows are removed
 * @param visibleColumns how many leading columns the application sees; negative: all but the last
 *     {@code -1 - visibleColumns}
 * @param placement during a migration, the per-row check that drops the copies reads must not see (the
 *     per-shard statements then return the shard key in hidden columns); {@code null} otherwise
 */
public record Merge(
        List<SortKey> orderBy,
        long offset,
        long limit,
        List<Integer> groupBy,
        List<Aggregate> aggregates,
        boolean distinct,
        int visibleColumns,
        PlacementFilter placement) {
    /** No merging: one shard, or a write (update counts are summed). */
    public static final Merge NONE = new Merge(List.of(), 0, -1, List.of(), List.of(), false, -1);

    /** A merge without a placement check (no migration running). */
    public Merge(
            List<SortKey> orderBy,
            long offset,
            long limit,
            List<Integer> groupBy,
            List<Aggregate> aggregates,
            boolean distinct,
            int visibleColumns) {
        this(orderBy, offset, limit, groupBy, aggregates, distinct, visibleColumns, null);
    }

    public Merge {
        orderBy = List.copyOf(orderBy);
        groupBy = List.copyOf(groupBy);
        aggregates = List.copyOf(aggregates);
    }

    /**
     * This merge with positions counted from the end made absolute, for results of {@code columnCount}
     * columns.
     */
    public Merge resolve(int columnCount) {
        if (visibleColumns >= 0 && orderBy.stream().allMatch(k -> k.column() >= 0) && placement == null) {
            return this;
        }
        List<SortKey> keys = orderBy.stream()
                .map(k -> k.column() >= 0 ? k : new SortKey(columnCount + k.column(), k.descending(), k.nullsFirst()))
                .toList();
        int visible = visibleColumns >= 0 ? visibleColumns : columnCount + 1 + visibleColumns;
        return new Merge(
                keys,
                offset,
                limit,
                groupBy,
                aggregates,
                distinct,
                visible,
                placement == null ? null : placement.resolve(columnCount));
    }

    /** Whether any merging beyond concatenation is needed (a placement check is merging: it drops rows). */
    public boolean isConcatenation() {
        return orderBy.isEmpty()
                && offset == 0
                && limit < 0
                && groupBy.isEmpty()
                && aggregates.isEmpty()
                && !distinct
                && placement == null;
    }

    /**
     * A sort key.
     *
     * @param column the column position
     * @param descending whether descending
     * @param nullsFirst whether NULLs sort first
     */
    public record SortKey(int column, boolean descending, boolean nullsFirst) {}

    /**
     * An aggregate column.
     *
     * @param column the position of the aggregate in the rewritten select list
     * @param function what it computes
     * @param countColumn for AVG, the position of the hidden COUNT column (the AVG column itself carries the
     *     SUM); otherwise -1
     */
    public record Aggregate(int column, Function function, int countColumn) {}

    /** Aggregate functions the merge understands. */
    public enum Function {
        COUNT,
        SUM,
        MIN,
        MAX,
        AVG
    }
}
