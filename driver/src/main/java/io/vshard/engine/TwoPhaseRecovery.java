package io.vshard.engine;

import io.vshard.config.Dialect;
import io.vshard.control.ControlStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the in-doubt distributed transactions of routers that are gone: a logged transaction that passed
 * its commit point (COMMITTING) has its prepared branches committed, any other has them rolled back. A
 * transaction whose router still sends heartbeats is left to that router.
 */
public final class TwoPhaseRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(TwoPhaseRecovery.class);

    private TwoPhaseRecovery() {}

    /**
     * Resolves what can be resolved now.
     *
     * @return how many logged transactions were resolved
     */
    public static int run(Engine engine) throws SQLException {
        ControlStore store = engine.controlStore();
        Set<String> live = new HashSet<>();
        for (ControlStore.Router r :
                store.liveRouters(engine.options().heartbeat().multipliedBy(3))) {
            if (!r.id().equals(engine.routerId())) {
                live.add(r.id());
            }
        }
        int resolved = 0;
        for (ControlStore.LoggedTransaction t : store.loggedTransactions()) {
            if (live.contains(t.routerId())) {
                continue;
            }
            if (!t.committing() && !store.claimForRollback(t.gtrid())) {
                // Its router reached the commit point meanwhile: it commits, or the next recovery does.
                continue;
            }
            for (String ds : t.participants()) {
                if (!engine.config().dataSources().containsKey(ds)) {
                    continue;
                }
                resolve(engine.dataSources().pool(ds), ShardTransaction.xid(t.gtrid(), ds), t.committing());
            }
            store.forgetTransaction(t.gtrid());
            LOG.info("vshard: {} in-doubt transaction {}", t.committing() ? "committed" : "rolled back", t.gtrid());
            resolved++;
        }
        return resolved;
    }

    private static void resolve(DataSourcePool pool, String xid, boolean commit) throws SQLException {
        try (Lease lease = Lease.acquire(pool, "data source " + pool.config().name())) {
            Connection c = lease.connection();
            if (pool.dialect() == Dialect.MYSQL) {
                if (mysqlPrepared(c).contains(xid)) {
                    ShardTransaction.exec(c, (commit ? "XA COMMIT '" : "XA ROLLBACK '") + xid + "'");
                }
            } else if (pool.dialect() == Dialect.POSTGRESQL) {
                if (postgresPrepared(c, xid)) {
                    ShardTransaction.exec(c, (commit ? "COMMIT PREPARED '" : "ROLLBACK PREPARED '") + xid + "'");
                }
            }
        }
    }

    /** Whether PostgreSQL holds the prepared transaction {@code xid} (the connection must be in auto-commit). */
    static boolean postgresPrepared(Connection c, String xid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_prepared_xacts WHERE gid = ?")) {
            ps.setString(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Set<String> mysqlPrepared(Connection c) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                out.add(rs.getString("data"));
            }
        }
        return out;
    }
}
