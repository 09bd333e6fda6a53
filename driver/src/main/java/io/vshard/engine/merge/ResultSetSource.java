package io.vshard.engine.merge;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Rows pulled from a shard's result set as it streams (the backend's fetch size bounds its memory). */
public final class ResultSetSource implements RowSource {
    private final ResultSet rs;
    private final int columns;
    private final Runnable onClose;

    /**
     * Wraps a result set.
     *
     * @param rs the shard's result set
     * @param onClose run once when closed (releases the shard connection), or {@code null}
     */
    public ResultSetSource(ResultSet rs, Runnable onClose) throws SQLException {
        this.rs = rs;
        this.columns = rs.getMetaData().getColumnCount();
        this.onClose = onClose;
    }

    @Override
    public Object[] next() throws SQLException {
        if (!rs.next()) {
            return null;
        }
        Object[] row = new Object[columns];
        for (int i = 0; i < columns; i++) {
            row[i] = rs.getObject(i + 1);
        }
        return row;
    }

    @Override
    public void close() throws SQLException {
        try {
            rs.close();
        } finally {
            if (onClose != null) {
                onClose.run();
            }
        }
    }
}
