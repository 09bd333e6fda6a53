package io.vshard.engine.merge;

import java.sql.SQLException;

/** OFFSET and LIMIT over merged rows, streaming: stops pulling once the limit is reached. */
public final class LimitSource implements RowSource {
    private final RowSource in;
    private long toSkip;
    private long remaining;

    /**
     * Applies offset and limit.
     *
     * @param limit rows to return, or negative for all
     */
    public LimitSource(RowSource in, long offset, long limit) {
        this.in = in;
        this.toSkip = offset;
        this.remaining = limit < 0 ? Long.MAX_VALUE : limit;
    }

    @Override
    public Object[] next() throws SQLException {
        while (toSkip > 0) {
            if (in.next() == null) {
                return null;
            }
            toSkip--;
        }
        if (remaining <= 0) {
            return null;
        }
        Object[] row = in.next();
        if (row != null) {
            remaining--;
        }
        return row;
    }

    @Override
    public void close() throws SQLException {
        in.close();
    }
}
