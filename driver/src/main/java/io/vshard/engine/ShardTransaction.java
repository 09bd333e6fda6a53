package io.vshard.engine;

import io.vshard.config.Dialect;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.placement.LogicalShard;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open transaction of a session: a pinned connection per data source it touched. Logical shards on one
 * data source share that connection, so writing several of them is one local transaction. Writing several
 * data sources commits with two-phase commit: MySQL/MariaDB XA (every MySQL branch starts with
 * {@code XA START}, since XA cannot adopt a running transaction) and PostgreSQL {@code PREPARE TRANSACTION}
 * (which needs {@code max_prepared_transactions > 0}; otherwise the second data source's write is refused
 * with 0A000 before anything is written there). H2 data sources never join a multi-source write.
 *
 * <p>The commit protocol: commit the read-only branches; log the transaction as PREPARING in the control
 * store; prepare every written branch (any failure rolls every branch back); log COMMITTING, the commit
 * point; commit every branch; delete the log entry. {@link TwoPhaseRecovery} finishes what a crash
 * interrupted. Never committed shard by shard. Used by one thread at a time.
 */
final class ShardTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(ShardTransaction.class);
    static final String XID_PREFIX = "vshard_";
    private final Engine engine;
    private final String gtrid =
            XID_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    private final Map<String, Lease> pinned = new LinkedHashMap<>();
    private final Set<String> xa = new LinkedHashSet<>();
    private final Set<String> written = new LinkedHashSet<>();
    /** The savepoints set and not released, oldest first; a data source joining later gets them all. */
    private final List<Savepoint> savepoints = new ArrayList<>();

    private final int isolation;
    private final boolean readOnly;

    ShardTransaction(Engine engine, int isolation, boolean readOnly) {
        this.engine = engine;
        this.isolation = isolation;
        this.readOnly = readOnly;
    }

    /** The branch id of a data source: one per data source, derived from the global id. */
    static String xid(String gtrid, String dataSource) {
        return gtrid + "_" + dataSource;
    }

    boolean isEmpty() {
        return pinned.isEmpty();
    }

    Lease pin(LogicalShard shard) throws SQLException {
        String ds = shard.location().dataSource();
        Lease lease = pinned.get(ds);
        if (lease != null) {
            return lease;
        }
        lease = Lease.acquire(engine.dataSources().pool(ds), ShardRunner.describe(shard));
        try {
            Connection c = lease.connection();
            c.setAutoCommit(false);
            if (isolation >= 0) {
                c.setTransactionIsolation(isolation);
            }
            if (readOnly) {
                c.setReadOnly(true);
            }
            if (lease.pool().dialect() == Dialect.MYSQL) {
                exec(c, "XA START '" + xid(gtrid, ds) + "'");
                xa.add(ds);
            }
            // So that a rollback to any of them also undoes what this data source does from now on.
            for (Savepoint s : savepoints) {
                exec(c, "SAVEPOINT " + s.name().text());
            }
        } catch (SQLException e) {
            lease.close();
            throw ShardErrors.translate(e, ShardRunner.describe(shard));
        }
        pinned.put(ds, lease);
        return lease;
    }

    /**
     * A savepoint of the transaction and what the session held when it was set.
     *
     * @param name its name
     * @param settings the session's settings then, restored by a rollback to it
     */
    record Savepoint(SavepointName name, SessionSettings settings) {}

    /** Sets a savepoint on every data source the transaction touched, and on each it touches later. */
    void savepoint(Savepoint savepoint) throws SQLException {
        onEveryBranch("SAVEPOINT " + savepoint.name().text());
        savepoints.add(savepoint);
    }

    /**
     * Rolls every data source back to the latest savepoint of that name, which stays set; the later ones go.
     *
     * @return the savepoint
     * @throws SQLException 3B001 when none has that name
     */
    Savepoint rollbackTo(SavepointName name) throws SQLException {
        int at = latest(name);
        onEveryBranch("ROLLBACK TO SAVEPOINT " + name.text());
        savepoints.subList(at + 1, savepoints.size()).clear();
        return savepoints.get(at);
    }

    /**
     * Releases the latest savepoint of that name, and the later ones, on every data source.
     *
     * @throws SQLException 3B001 when none has that name
     */
    void release(SavepointName name) throws SQLException {
        int at = latest(name);
        onEveryBranch("RELEASE SAVEPOINT " + name.text());
        savepoints.subList(at, savepoints.size()).clear();
    }

    private int latest(SavepointName name) throws SQLException {
        for (int i = savepoints.size() - 1; i >= 0; i--) {
            if (savepoints.get(i).name().key().equals(name.key())) {
                return i;
            }
        }
        throw VShardSQLException.of(VShardState.NO_SUCH_SAVEPOINT, null, name.text());
    }

    private void onEveryBranch(String sql) throws SQLException {
        for (Map.Entry<String, Lease> e : pinned.entrySet()) {
            try {
                exec(e.getValue().connection(), sql);
            } catch (SQLException ex) {
                throw ShardErrors.translate(ex, "data source " + e.getKey());
            }
        }
    }

    /** Records that the transaction writes {@code sources}, refusing what it could not commit atomically. */
    void writes(Set<String> sources) throws SQLException {
        for (String ds : sources) {
            if (written.contains(ds)) {
                continue;
            }
            if (!written.isEmpty()) {
                for (String d : concat(written, ds)) {
                    String why = twoPhaseUnavailable(d);
                    if (why != null) {
                        throw VShardSQLException.of(
                                VShardState.MULTI_SHARD_WRITE,
                                null,
                                "data source " + String.join(", ", written),
                                "data source " + ds + " (" + why + ")");
                    }
                }
            }
            written.add(ds);
        }
    }

    private static List<String> concat(Set<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    /** Why data source {@code ds} cannot take part in two-phase commit, or {@code null} if it can. */
    private String twoPhaseUnavailable(String ds) throws SQLException {
        DataSourcePool pool = engine.dataSources().pool(ds);
        if (pool.dialect() == Dialect.MYSQL) {
            return null;
        }
        if (pool.dialect() == Dialect.H2) {
            return "two-phase commit is not implemented for H2";
        }
        Boolean enabled = pool.preparedTransactions();
        if (enabled == null) {
            try (Lease probe = Lease.acquire(pool, "data source " + ds);
                    Statement st = probe.connection().createStatement();
                    ResultSet rs = st.executeQuery("SHOW max_prepared_transactions")) {
                rs.next();
                enabled = rs.getInt(1) > 0;
                pool.preparedTransactions(enabled);
            }
        }
        return enabled ? null : "its server has max_prepared_transactions = 0, so it cannot prepare transactions";
    }

    /** Commits: locally when at most one data source was written, else with two-phase commit. */
    void commit() throws SQLException {
        SQLException failure = null;
        try {
            for (Map.Entry<String, Lease> e : pinned.entrySet()) {
                if (!written.contains(e.getKey()) || written.size() == 1) {
                    if (failure == null) {
                        try {
                            commitOnePhase(e.getKey(), e.getValue());
                        } catch (SQLException ex) {
                            failure = ShardErrors.translate(ex, "data source " + e.getKey());
                        }
                    } else {
                        rollbackQuietly(e.getKey(), e.getValue());
                    }
                }
            }
            if (failure == null && written.size() > 1) {
                twoPhaseCommit();
            } else if (written.size() > 1) {
                for (String ds : written) {
                    rollbackQuietly(ds, pinned.get(ds));
                }
            }
        } finally {
            release();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void twoPhaseCommit() throws SQLException {
        List<String> branches = new ArrayList<>(written);
        engine.controlStore().logPreparing(gtrid, branches, engine.routerId());
        List<String> prepared = new ArrayList<>();
        try {
            for (String ds : branches) {
                Connection c = pinned.get(ds).connection();
                String x = xid(gtrid, ds);
                try {
                    if (xa.contains(ds)) {
                        exec(c, "XA END '" + x + "'");
                        exec(c, "XA PREPARE '" + x + "'");
                    } else {
                        preparePostgres(c, x);
                    }
                } catch (SQLException e) {
                    throw ShardErrors.translate(
                            new SQLException(
                                    "prepare failed on data source " + ds + ": " + e.getMessage(),
                                    e.getSQLState(),
                                    e.getErrorCode(),
                                    e),
                            "data source " + ds);
                }
                prepared.add(ds);
            }
            engine.controlStore().logCommitting(gtrid);
        } catch (SQLException e) {
            for (String ds : branches) {
                Lease lease = pinned.get(ds);
                if (prepared.contains(ds)) {
                    rollbackPrepared(ds, lease);
                } else {
                    rollbackQuietly(ds, lease);
                }
            }
            forgetQuietly();
            throw e;
        }
        boolean all = true;
        for (String ds : branches) {
            Connection c = pinned.get(ds).connection();
            String x = xid(gtrid, ds);
            try {
                exec(c, xa.contains(ds) ? "XA COMMIT '" + x + "'" : "COMMIT PREPARED '" + x + "'");
            } catch (SQLException e) {
                // Past the commit point the transaction is committed; recovery finishes this branch.
                all = false;
                LOG.warn("vshard: branch {} stays prepared until recovery: {}", x, e.getMessage());
            }
        }
        if (all) {
            forgetQuietly();
        }
    }

    /**
     * Prepares a PostgreSQL branch and leaves its connection in auto-commit: {@code COMMIT PREPARED} and
     * {@code ROLLBACK PREPARED} cannot run inside a transaction block, which pgjdbc would open before them.
     * PostgreSQL answers {@code PREPARE TRANSACTION} on a transaction that had already failed with a rollback,
     * not an error, so the branch is looked up before it counts as prepared.
     */
    private static void preparePostgres(Connection c, String xid) throws SQLException {
        exec(c, "PREPARE TRANSACTION '" + xid + "'");
        c.setAutoCommit(true);
        if (!TwoPhaseRecovery.postgresPrepared(c, xid)) {
            throw new SQLException(
                    "the transaction had failed, so PREPARE TRANSACTION '" + xid + "' rolled it back", "40000");
        }
    }

    private void commitOnePhase(String ds, Lease lease) throws SQLException {
        Connection c = lease.connection();
        if (xa.contains(ds)) {
            String x = xid(gtrid, ds);
            exec(c, "XA END '" + x + "'");
            exec(c, "XA COMMIT '" + x + "' ONE PHASE");
        } else {
            c.commit();
        }
    }

    void rollback() {
        try {
            pinned.forEach(this::rollbackQuietly);
        } finally {
            release();
        }
    }

    private void rollbackQuietly(String ds, Lease lease) {
        Connection c = lease.connection();
        try {
            if (xa.contains(ds)) {
                String x = xid(gtrid, ds);
                try {
                    exec(c, "XA END '" + x + "'");
                } catch (SQLException e) {
                    // Already ended (or the connection is gone); the rollback below is what matters.
                }
                exec(c, "XA ROLLBACK '" + x + "'");
            } else {
                c.rollback();
            }
        } catch (SQLException e) {
            // A branch that cannot roll back lost its connection, and the server rolled it back.
        }
        // PostgreSQL undoes a SET search_path made inside a rolled-back transaction.
        lease.pool().forget(c);
    }

    private void rollbackPrepared(String ds, Lease lease) {
        String x = xid(gtrid, ds);
        try {
            exec(lease.connection(), xa.contains(ds) ? "XA ROLLBACK '" + x + "'" : "ROLLBACK PREPARED '" + x + "'");
        } catch (SQLException e) {
            LOG.warn("vshard: prepared branch {} stays until recovery rolls it back: {}", x, e.getMessage());
        }
    }

    private void forgetQuietly() {
        try {
            engine.controlStore().forgetTransaction(gtrid);
        } catch (SQLException e) {
            LOG.warn("vshard: finished transaction {} stays in the log until recovery: {}", gtrid, e.getMessage());
        }
    }

    private void release() {
        pinned.values().forEach(Lease::close);
        pinned.clear();
        xa.clear();
        written.clear();
        savepoints.clear();
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
