package io.vshard.engine.merge;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes duplicate rows (over the visible columns). It holds every distinct row seen so far: memory grows
 * with the number of distinct rows, not with the fetch size.
 */
public final class DistinctSource implements RowSource {
    private final RowSource in;
    private final int columns;
    private final Set<List<Object>> seen = new HashSet<>();

    /** Removes duplicates of the first {@code columns} columns. */
    public DistinctSource(RowSource in, int columns) {
        this.in = in;
        this.columns = columns;
    }

    @Override
    public Object[] next() throws SQLException {
        for (Object[] row = in.next(); row != null; row = in.next()) {
            Object[] key = Arrays.copyOf(row, Math.min(columns, row.length));
            for (int i = 0; i < key.length; i++) {
                key[i] = Groups.normalize(key[i]);
            }
            if (seen.add(Arrays.asList(key))) {
                return row;
            }
        }
        return null;
    }

    @Override
    public void close() throws SQLException {
        in.close();
    }
}
