package io.vshard.engine.merge;

import io.vshard.sql.Merge.SortKey;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The streaming k-way merge of shard results that each arrive sorted by the same keys. It holds one row per
 * shard (plus what each backend buffers, bounded by the fetch size), whatever the result sizes. Rows that
 * compare equal come out in shard order, so the merge is deterministic.
 */
public final class SortedMergeSource implements RowSource {
    private final List<RowSource> sources;
    private final PriorityQueue<Head> heads;
    private boolean started;

    /** Merges {@code sources}, each sorted by {@code keys}. */
    public SortedMergeSource(List<RowSource> sources, List<SortKey> keys) {
        this.sources = List.copyOf(sources);
        Comparator<Object[]> rows = Values.comparator(keys);
        this.heads = new PriorityQueue<>(Math.max(1, sources.size()), (a, b) -> {
            int c = rows.compare(a.row, b.row);
            return c != 0 ? c : Integer.compare(a.index, b.index);
        });
    }

    @Override
    public Object[] next() throws SQLException {
        if (!started) {
            started = true;
            for (int i = 0; i < sources.size(); i++) {
                Object[] row = sources.get(i).next();
                if (row != null) {
                    heads.add(new Head(i, row));
                }
            }
        }
        Head h = heads.poll();
        if (h == null) {
            return null;
        }
        Object[] out = h.row;
        Object[] following = sources.get(h.index).next();
        if (following != null) {
            heads.add(new Head(h.index, following));
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        MergeSources.closeAll(sources);
    }

    private record Head(int index, Object[] row) {}
}
