package io.vshard.engine.merge;

import java.sql.SQLException;
import java.util.List;

/** Shard results one after another, streaming. */
public final class ConcatSource implements RowSource {
    private final List<RowSource> sources;
    private int current;

    /** Concatenates {@code sources} in order. */
    public ConcatSource(List<RowSource> sources) {
        this.sources = List.copyOf(sources);
    }

    @Override
    public Object[] next() throws SQLException {
        while (current < sources.size()) {
            Object[] row = sources.get(current).next();
            if (row != null) {
                return row;
            }
            current++;
        }
        return null;
    }

    @Override
    public void close() throws SQLException {
        MergeSources.closeAll(sources);
    }
}
