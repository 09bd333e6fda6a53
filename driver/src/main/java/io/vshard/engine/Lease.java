package io.vshard.engine;

import io.vshard.manifest.ShardLocation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A pooled connection borrowed for one statement or one transaction, together with its pool permit. Closing
 * returns both. Used by one thread at a time.
 *
 * <p>A session may keep the lease of its last single-shard auto-commit statement <em>parked</em> for its next
 * one ({@link #park}), which saves the permit and the HikariCP checkout per statement. A parked lease stays
 * registered with its pool, and any thread that finds the pool's permits exhausted may take it away
 * ({@link #steal}): it is then closed, returning its connection and permit. The state moves IN_USE → PARKED
 * only on the owner's thread; PARKED → IN_USE (the owner) and PARKED → GONE (a thief) race through a CAS, so
 * exactly one of them gets it.
 *
 * <p>A lease hands out the prepared statements kept on its physical connection ({@link #kept}, {@link #keep};
 * see {@link ConnectionStatements}): they are prepared on the driver's connection under HikariCP's proxy, so
 * they outlive the checkout and serve whichever lease holds the connection next.
 */
final class Lease implements AutoCloseable {
    /** A parked lease is reused only if it idled less than this (HikariCP validates after 500 ms idle). */
    static final long MAX_PARKED_NANOS = 500_000_000L;
    /** A lease is handed back to HikariCP after this long, so its lifetime and housekeeping still apply. */
    static final long MAX_HELD_NANOS = 2_000_000_000L;

    private static final int IN_USE = 0;
    private static final int PARKED = 1;
    private static final int GONE = 2;
    private static final AtomicIntegerFieldUpdater<Lease> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Lease.class, "state");

    private final DataSourcePool pool;
    private final Connection connection;
    private final long borrowedAt = System.nanoTime();
    private volatile int state = IN_USE;
    private volatile long parkedAt;
    private boolean registered;
    private DataSourcePool.State pointedAt;
    private long pointedAtForgets;
    private boolean closed;
    private boolean commitOnClose;
    private Connection physical;
    // The statements kept on this lease's physical connection (looked up on first use), and how many of them
    // this lease has taken and not yet handed back.
    private ConnectionStatements statements;
    private int taken;

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
        use(location, false, java.util.List.of());
    }

    /**
     * Points the connection at {@code location}'s schema with a session's {@code SET}s replayed; a statement
     * that names its schema in its text ({@code schemaInText}) needs the switch only with a replay.
     */
    void use(ShardLocation location, boolean schemaInText, java.util.List<String> settings) throws SQLException {
        // The connection is this lease's alone, so what it was last pointed at holds until a forget anywhere
        // in the pool: the pool's own lookup (a weak-keyed cache) is skipped on a session's parked lease.
        long forgets = pool.forgets();
        DataSourcePool.State s = pointedAt;
        if (s != null && forgets == pointedAtForgets && s.serves(location.schema(), schemaInText, settings)) {
            return;
        }
        pointedAt = null;
        pointedAt = pool.use(connection, location.schema(), schemaInText, settings);
        pointedAtForgets = forgets;
    }

    /**
     * Takes the idle prepared statement kept on this connection for {@code sql}, to bind {@code parameters}
     * values, or {@code null}; either way the caller runs {@code sql} as a kept statement (prepared on
     * {@link #physical()} when none was kept) and hands it back with {@link #keep} or {@link #discard}.
     */
    PreparedStatement kept(String sql, int parameters) throws SQLException {
        taken++;
        return statements().take(sql, parameters);
    }

    /**
     * Hands back a finished prepared statement taken with {@link #kept} for the next execution of {@code sql}
     * on this connection; closes it when the lease is closed (the connection may be another lease's by now).
     */
    void keep(String sql, PreparedStatement ps) {
        if (closed) {
            ShardRunner.closeQuietly(ps);
            return;
        }
        taken--;
        statements().keep(sql, ps);
    }

    /** Forgets {@code ps}, taken for {@code sql}, which its borrower closed after a failure. */
    void discard(String sql, PreparedStatement ps) {
        if (closed) {
            return;
        }
        taken--;
        statements().discard(sql, ps);
    }

    private ConnectionStatements statements() {
        ConnectionStatements s = statements;
        if (s == null) {
            s = pool.statementsOf(physical());
            statements = s;
        }
        return s;
    }

    /**
     * The driver's own connection under the pool's proxy: kept statements are prepared on it, so they outlive
     * the checkout (the proxy closes the statements made through it when the lease returns the connection).
     */
    Connection physical() {
        Connection p = physical;
        if (p == null) {
            try {
                p = connection.unwrap(Connection.class);
            } catch (SQLException e) {
                throw new IllegalStateException("the pool's connection does not unwrap", e);
            }
            physical = p;
        }
        return p;
    }

    /** Commits when closed (a PostgreSQL cursor read that needed a transaction). */
    void commitOnClose() {
        commitOnClose = true;
    }

    /**
     * Parks this idle lease for its owner's next statement, or closes it when it should go back to the pool:
     * a thread waits for a permit, the lease was held long enough, or its connection is closed (broken).
     *
     * @return whether it was parked
     */
    boolean park() {
        long now = System.nanoTime();
        if (commitOnClose || now - borrowedAt > MAX_HELD_NANOS || pool.hasWaiters() || connectionClosed()) {
            close();
            return false;
        }
        parkedAt = now;
        if (!registered) {
            registered = true;
            pool.register(this);
        }
        state = PARKED;
        return true;
    }

    /**
     * Takes a parked lease back for its owner's next statement: {@code null} when another thread took it
     * meanwhile, or when it idled too long (it is then returned to the pool).
     */
    Lease unpark() {
        if (!STATE.compareAndSet(this, PARKED, IN_USE)) {
            return null;
        }
        if (System.nanoTime() - parkedAt > MAX_PARKED_NANOS) {
            close();
            return null;
        }
        return this;
    }

    /** Returns a parked lease to the pool on its owner's behalf, unless a thief already did. */
    void release() {
        if (STATE.compareAndSet(this, PARKED, IN_USE)) {
            close();
        }
    }

    /**
     * Takes a parked lease from its owner and closes it (any thread); {@code idleNanos} &gt; 0 takes it only if
     * it idled at least that long.
     *
     * @return whether it was taken
     */
    boolean steal(long idleNanos) {
        if (state != PARKED
                || (idleNanos > 0 && System.nanoTime() - parkedAt < idleNanos)
                || !STATE.compareAndSet(this, PARKED, GONE)) {
            return false;
        }
        close();
        return true;
    }

    private boolean connectionClosed() {
        try {
            // The pool's proxy (closed when HikariCP found the connection broken) and the driver's connection;
            // the latter is unwrapped once, since an unwrap per statement is an interface check per statement.
            if (connection.isClosed()) {
                return true;
            }
            return physical().isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registered) {
            pool.unregister(this);
        }
        if (taken > 0) {
            // A statement of this lease is still running or has a result open: its borrower hands it back
            // after the connection may have gone to another lease, so the connection starts a new set.
            pool.dropStatements(physical());
        }
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
