package io.vshard.jdbc;

import io.vshard.engine.Result;
import io.vshard.engine.StatementOptions;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@code jdbc:vshard:} statement: each execution is planned by the router and run by the engine session.
 * Not thread safe, except {@link #cancel()}.
 */
class VShardStatement implements Statement {
    final VShardConnection connection;
    // Made by the first addBatch: most statements never batch, and applications make one statement per execution.
    private List<String> batch;
    // Results after the current one; only text holding several statements has any, so it is made on demand.
    private Deque<Result> pending;
    private ResultSet current;
    private long updateCount = -1;
    private ResultSet generatedKeys;
    private int fetchSize;
    private int queryTimeout;
    private long maxRows;
    private int maxFieldSize;
    private boolean poolable;
    private boolean closeOnCompletion;
    private boolean closed;
    private StatementOptions lastOptions;

    VShardStatement(VShardConnection connection) {
        this.connection = connection;
        this.fetchSize = connection.defaultFetchSize();
    }

    void open() throws SQLException {
        if (closed) {
            throw VShardSQLException.of(VShardState.CLOSED, null, "statement");
        }
        connection.open();
    }

    StatementOptions options(boolean prepared, boolean keys, List<String> keyColumns) {
        StatementOptions o = lastOptions;
        if (o == null && fetchSize == 0 && queryTimeout == 0 && maxRows == 0 && !keys && keyColumns.isEmpty()) {
            // The common case, shared: an application typically makes a statement per execution.
            o = prepared ? StatementOptions.PREPARED : StatementOptions.DEFAULT;
            lastOptions = o;
            return o;
        }
        // A prepared statement runs many times with the same options: keep them rather than a copy per run.
        if (o == null
                || o.prepared() != prepared
                || o.fetchSize() != fetchSize
                || o.queryTimeoutSeconds() != queryTimeout
                || o.maxRows() != maxRows
                || o.generatedKeys() != keys
                || !o.keyColumns().equals(keyColumns)) {
            o = new StatementOptions(prepared, fetchSize, queryTimeout, maxRows, keys, keyColumns);
            lastOptions = o;
        }
        return o;
    }

    /** Runs one statement text (several when it holds several statements) and makes the first result current. */
    boolean run(String sql, List<Object> params, StatementOptions options) throws SQLException {
        open();
        clearResults();
        if (!params.isEmpty() || options.prepared()) {
            return advance(connection.session().execute(sql, params, options));
        }
        List<String> parts = connection.engine().split(sql);
        if (parts.size() == 1) {
            return advance(connection.session().execute(parts.get(0), params, options));
        }
        pending = new ArrayDeque<>();
        for (String part : parts) {
            pending.add(connection.session().execute(part, params, options));
        }
        return advance(pending.poll());
    }

    private boolean advance() throws SQLException {
        return advance(pending == null ? null : pending.poll());
    }

    private boolean advance(Result r) throws SQLException {
        if (r == null) {
            current = null;
            updateCount = -1;
            return false;
        }
        if (r.rows() != null) {
            current = new VShardResultSet(r.rows(), this, r.resources());
            updateCount = -1;
            return true;
        }
        current = null;
        updateCount = r.updateCount();
        if (r.generatedKeys() != null) {
            generatedKeys = new VShardResultSet(r.generatedKeys(), this, null);
        }
        return false;
    }

    void clearResults() throws SQLException {
        closeQuietly(current);
        closeQuietly(generatedKeys);
        if (pending != null) {
            for (Result r : pending) {
                if (r.rows() != null) {
                    closeQuietly(new VShardResultSet(r.rows(), this, r.resources()));
                }
            }
            pending = null;
        }
        current = null;
        generatedKeys = null;
        updateCount = -1;
    }

    private static void closeQuietly(ResultSet rs) {
        if (rs != null) {
            try {
                rs.close();
            } catch (SQLException e) {
                // Results being discarded; their failure does not concern the next execution.
            }
        }
    }

    ResultSet requireRows() throws SQLException {
        if (current == null) {
            throw new SQLException("the statement returned no result set; use executeUpdate or execute", "02000");
        }
        return current;
    }

    int requireCount() throws SQLException {
        if (current != null) {
            clearResults();
            throw new SQLException("the statement returned a result set; use executeQuery or execute", "0100E");
        }
        return (int) Math.min(Integer.MAX_VALUE, updateCount);
    }

    long requireLargeCount() throws SQLException {
        requireCount();
        return updateCount;
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        run(sql, List.of(), options(false, false, List.of()));
        return requireRows();
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        run(sql, List.of(), options(false, false, List.of()));
        return requireCount();
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        run(sql, List.of(), options(false, autoGeneratedKeys == RETURN_GENERATED_KEYS, List.of()));
        return requireCount();
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        run(sql, List.of(), options(false, true, List.of(columnNames)));
        return requireCount();
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        run(sql, List.of(), options(false, false, List.of()));
        return requireLargeCount();
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return run(sql, List.of(), options(false, false, List.of()));
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return run(sql, List.of(), options(false, autoGeneratedKeys == RETURN_GENERATED_KEYS, List.of()));
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return run(sql, List.of(), options(false, true, List.of(columnNames)));
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        open();
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(sql);
    }

    @Override
    public void clearBatch() throws SQLException {
        open();
        if (batch != null) {
            batch.clear();
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        open();
        List<String> todo = batch == null ? List.of() : new ArrayList<>(batch);
        batch = null;
        int[] counts = new int[todo.size()];
        for (int i = 0; i < todo.size(); i++) {
            try {
                run(todo.get(i), List.of(), options(false, false, List.of()));
                counts[i] = requireCount();
            } catch (SQLException e) {
                throw new BatchUpdateException(
                        e.getMessage(), e.getSQLState(), e.getErrorCode(), java.util.Arrays.copyOf(counts, i), e);
            }
        }
        return counts;
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        open();
        return current;
    }

    @Override
    public int getUpdateCount() throws SQLException {
        open();
        return (int) Math.min(Integer.MAX_VALUE, updateCount);
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        open();
        return updateCount;
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        open();
        closeQuietly(current);
        return advance();
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        return getMoreResults();
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        open();
        if (generatedKeys == null) {
            return new VShardResultSet(
                    new io.vshard.engine.merge.RowResultSet(
                            new io.vshard.engine.merge.ListSource(List.of()),
                            new io.vshard.engine.merge.RowMetaData(List.of())),
                    this,
                    null);
        }
        return generatedKeys;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        clearResults();
        closed = true;
        connection.forget(this);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Connection getConnection() throws SQLException {
        open();
        return connection;
    }

    @Override
    public void cancel() throws SQLException {
        open();
        connection.session().cancel();
    }

    @Override
    public int getFetchSize() throws SQLException {
        open();
        return fetchSize;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        open();
        if (rows < 0) {
            throw VShardSQLException.of(VShardState.INVALID_USE, null, "fetch size must not be negative");
        }
        fetchSize = rows;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        open();
        return ResultSet.FETCH_FORWARD;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        open();
        if (direction != ResultSet.FETCH_FORWARD) {
            throw VShardSQLException.unsupported("Statement.setFetchDirection(" + direction + ")");
        }
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        open();
        return queryTimeout;
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        open();
        if (seconds < 0) {
            throw VShardSQLException.of(VShardState.INVALID_USE, null, "query timeout must not be negative");
        }
        queryTimeout = seconds;
    }

    @Override
    public int getMaxRows() throws SQLException {
        open();
        return (int) Math.min(Integer.MAX_VALUE, maxRows);
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        setLargeMaxRows(max);
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        open();
        return maxRows;
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        open();
        if (max < 0) {
            throw VShardSQLException.of(VShardState.INVALID_USE, null, "max rows must not be negative");
        }
        maxRows = max;
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        open();
        return maxFieldSize;
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        open();
        maxFieldSize = max;
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        open();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        open();
        return null;
    }

    @Override
    public void clearWarnings() throws SQLException {
        open();
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        open();
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getResultSetType() throws SQLException {
        open();
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        open();
        return ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        open();
        this.poolable = poolable;
    }

    @Override
    public boolean isPoolable() throws SQLException {
        open();
        return poolable;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        open();
        closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        open();
        return closeOnCompletion;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw VShardSQLException.of(VShardState.INVALID_USE, null, "not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        throw VShardSQLException.unsupported("Statement.executeUpdate(String, int[])");
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        throw VShardSQLException.unsupported("Statement.execute(String, int[])");
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        throw VShardSQLException.unsupported("Statement.setCursorName");
    }
}
