package io.vshard.engine.merge;

import java.sql.SQLException;

/** A stream of rows, each an array of column values. Not thread safe: one consumer pulls. */
public interface RowSource extends AutoCloseable {
    /** The next row, or {@code null} at the end. */
    Object[] next() throws SQLException;

    @Override
    void close() throws SQLException;
}
