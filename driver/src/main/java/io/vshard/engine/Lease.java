package io.vshard.engine;

import io.vshard.manifest.ShardLocation;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A pooled connection borrowed for one statement or one transaction, together with its pool permit. Closing
 * returns both. Used by one thread at a time.
 */
final class Lease implements AutoCloseable {
    private final DataSourcePool pool;
    private final Connection connection;
    private boolean closed;
    private boolean commitOnClose;

    private Lease(DataSourcePool pool, Connection connection) {
        this.pool = pool;
        this.connection = connection;
    }

    /**
     * Borrows a connection for which the caller already holds a permit; on failure the permit is released.
     *
     * @param where the shard or data source, named in the 08006 error
     */
    static Lease borrow(DataSourcePool pool, String where) throws SQLException {
        try {
            return new Lease(pool, pool.connection());
        } catch (SQLException | RuntimeException e) {
            pool.release(1);
            SQLException s = e instanceof SQLException se ? se : new SQLException(e.getMessage(), "08006", e);
            throw ShardErrors.translate(
                    ShardErrors.isConnectionLoss(s) ? s : new SQLException(s.getMessage(), "08006", s), where);
        }
    }

    /** Takes one permit and borrows a connection, failing with 08006 after the connect timeout. */
    static Lease acquire(DataSourcePool pool, String where) throws SQLException {
        Permits.take(pool, 1, where);
        return borrow(pool, where);
    }

    Connection connection() {
        return connection;
    }

    DataSourcePool pool() {
        return pool;
    }

    /** Points the connection at {@code location}'s schema. */
    void use(ShardLocation location) throws SQLException {
        pool.useSchema(connection, location.schema());
    }

    /**
     * Points the connection at {@code location}'s schema with a session's {@code SET}s replayed; a statement
     * that names its schema in its text ({@code schemaInText}) needs the switch only with a replay.
     */
    void use(ShardLocation location, boolean schemaInText, java.util.List<String> settings) throws SQLException {
        pool.use(connection, location.schema(), schemaInText, settings);
    }

    /** Commits when closed (a PostgreSQL cursor read that needed a transaction). */
    void commitOnClose() {
        commitOnClose = true;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (commitOnClose) {
                connection.commit();
            }
        } catch (SQLException e) {
            pool.forget(connection);
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // HikariCP evicts a broken connection itself.
        } finally {
            pool.release(1);
        }
    }
}
