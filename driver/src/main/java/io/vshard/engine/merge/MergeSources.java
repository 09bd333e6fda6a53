package io.vshard.engine.merge;

import io.vshard.manifest.ShardLocation;
import io.vshard.sql.Merge;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the merge pipeline a {@link Merge} asks for over the per-shard row sources: k-way merge or
 * concatenation, then aggregation (which holds groups), DISTINCT (which holds distinct rows), then
 * OFFSET/LIMIT. Without GROUP BY or DISTINCT the pipeline streams in memory bounded by fetch size × shards.
 */
public final class MergeSources {
    private MergeSources() {}

    /** The merged rows of {@code shards} as {@code merge} says (a merge without a placement check). */
    public static RowSource merge(List<RowSource> shards, Merge merge) {
        return merge(shards, List.of(), merge, -1);
    }

    /**
     * The merged rows of {@code shards}, read at {@code locations} (same order), as {@code merge} says: each
     * shard's rows pass its placement check first, when the merge has one.
     *
     * @param merge the merge, its positions absolute ({@link Merge#resolve(int)})
     * @param width the number of columns of each row, or -1 when unknown
     */
    public static RowSource merge(List<RowSource> shards, List<ShardLocation> locations, Merge merge, int width) {
        if (merge.placement() != null) {
            if (locations.size() != shards.size()) {
                throw new IllegalArgumentException("a placement check needs the location of every shard");
            }
            List<RowSource> checked = new ArrayList<>(shards.size());
            for (int i = 0; i < shards.size(); i++) {
                checked.add(new PlacementCheckSource(shards.get(i), merge.placement(), locations.get(i)));
            }
            shards = checked;
        }
        boolean grouped = !merge.groupBy().isEmpty() || !merge.aggregates().isEmpty();
        RowSource src;
        if (!merge.orderBy().isEmpty() && !grouped) {
            src = new SortedMergeSource(shards, merge.orderBy());
        } else {
            src = new ConcatSource(shards);
        }
        if (grouped) {
            src = new AggregateSource(src, merge.groupBy(), merge.aggregates(), merge.orderBy(), width);
        }
        if (merge.distinct()) {
            src = new DistinctSource(src, merge.visibleColumns() < 0 ? Integer.MAX_VALUE : merge.visibleColumns());
        }
        if (merge.offset() > 0 || merge.limit() >= 0) {
            src = new LimitSource(src, merge.offset(), merge.limit());
        }
        return src;
    }

    static void closeAll(List<RowSource> sources) throws SQLException {
        SQLException first = null;
        for (RowSource s : sources) {
            try {
                s.close();
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Reads all rows of {@code src} and closes it. */
    public static List<Object[]> drain(RowSource src) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (src) {
            for (Object[] r = src.next(); r != null; r = src.next()) {
                rows.add(r);
            }
        }
        return rows;
    }
}
