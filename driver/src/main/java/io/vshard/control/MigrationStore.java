package io.vshard.control;

import io.vshard.config.Dialect;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.RoutingState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The migration's records in the control store: the routing epoch, the migration row, the cohorts with their
 * states and progress, the migrator lease and the fleet clock offset. Every change that alters routing bumps
 * the epoch in the same transaction, so a router that acknowledged epoch {@code e} has seen every change up
 * to {@code e}. Thread safe; connections are opened per call.
 */
public final class MigrationStore {
    private final ControlStore store;

    /** Creates the accessor over an open control store. */
    public MigrationStore(ControlStore store) {
        this.store = store;
    }

    static void createTables(Statement st, Dialect dialect, String ts, String text) throws SQLException {
        st.execute("CREATE TABLE IF NOT EXISTS vshard_setting (name VARCHAR(64) PRIMARY KEY, num BIGINT NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS vshard_migration (to_version INT PRIMARY KEY, from_version INT NOT NULL,"
                + " state VARCHAR(16) NOT NULL, ledger_on_next INT NOT NULL, ledger_held INT NOT NULL,"
                + " started_at " + ts + " NOT NULL, completed_at " + ts + " NULL, last_error VARCHAR(2000) NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS vshard_cohort_state (version INT NOT NULL, cohort_id INT NOT NULL,"
                + " old_shard INT NOT NULL, first_creator BIGINT NOT NULL, last_creator BIGINT NOT NULL,"
                + " planned_rows BIGINT NOT NULL, test INT NOT NULL, state VARCHAR(16) NOT NULL,"
                + " epoch BIGINT NOT NULL, effective_at " + ts + " NULL, rows_copied BIGINT NOT NULL,"
                + " digest_old VARCHAR(80) NULL, digest_new VARCHAR(80) NULL, checks_passed INT NOT NULL,"
                + " checks_failed INT NOT NULL, last_error VARCHAR(2000) NULL, marks " + text + " NOT NULL,"
                + " PRIMARY KEY (version, cohort_id))");
        st.execute("CREATE TABLE IF NOT EXISTS vshard_migrator_lease (id INT PRIMARY KEY, holder VARCHAR(64) NOT NULL,"
                + " expires_at " + ts + " NOT NULL)");
        for (String name : List.of("epoch", "clock_offset_ms")) {
            try (ResultSet rs = st.executeQuery("SELECT num FROM vshard_setting WHERE name = '" + name + "'")) {
                if (rs.next()) {
                    continue;
                }
            }
            try {
                st.execute("INSERT INTO vshard_setting (name, num) VALUES ('" + name + "', 0)");
            } catch (SQLException e) {
                // Another router created it concurrently.
            }
        }
    }

    /** The routing epoch now. */
    public long epoch() throws SQLException {
        try (Connection c = store.connect()) {
            return setting(c, "epoch");
        }
    }

    /** The fleet clock offset (tests and demos shift the fleet's notion of time; production keeps 0). */
    public Duration clockOffset() throws SQLException {
        try (Connection c = store.connect()) {
            return Duration.ofMillis(setting(c, "clock_offset_ms"));
        }
    }

    /** Sets the fleet clock offset against the store's clock. */
    public void setClockOffset(Duration offset) throws SQLException {
        try (Connection c = store.connect();
                PreparedStatement ps =
                        c.prepareStatement("UPDATE vshard_setting SET num = ? WHERE name = 'clock_offset_ms'")) {
            ps.setLong(1, offset.toMillis());
            ps.executeUpdate();
        }
    }

    /** The store's time shifted by the fleet clock offset: the reference the routers' clocks are checked against. */
    public Instant fleetTime() throws SQLException {
        return store.now().plus(clockOffset());
    }

    /**
     * Reads what a router needs: the active and next manifests, the migration, cohort states and the epoch.
     *
     * @throws SQLException F0000 when no manifest is active
     */
    public RouterView view() throws SQLException {
        try (Connection c = store.connect()) {
            long epoch = setting(c, "epoch");
            Instant time = store.now().plusMillis(setting(c, "clock_offset_ms"));
            Manifest active = null;
            Manifest next = null;
            List<ControlStore.StoredManifest> stored = store.manifests();
            for (ControlStore.StoredManifest m : stored) {
                if (m.state().equals(ControlStore.ACTIVE)) {
                    active = m.manifest();
                }
            }
            if (active == null) {
                throw VShardSQLException.of(
                        VShardState.CONFIG_INVALID,
                        null,
                        "no active manifest in the control store at " + store.url()
                                + "; list a manifest under 'manifests' in the configuration");
            }
            for (ControlStore.StoredManifest m : stored) {
                if (m.version() == active.version() + 1 && m.state().equals(ControlStore.PUBLISHED)) {
                    next = m.manifest();
                }
            }
            if (next == null) {
                return new RouterView(RoutingState.stable(active), epoch, null, time);
            }
            MigrationRecord mig = migration(c, next.version());
            if (mig == null) {
                return new RouterView(new RoutingState(active, next, CohortMap.EMPTY, false), epoch, null, time);
            }
            List<Cohort> cohorts = new ArrayList<>();
            Map<Integer, CohortState> states = new HashMap<>();
            for (CohortRecord r : cohorts(c, next.version(), false)) {
                cohorts.add(r.cohort());
                states.put(r.cohort().id(), r.state());
            }
            RoutingState rs = new RoutingState(active, next, new CohortMap(cohorts, states), mig.ledgerOnNext());
            return new RouterView(rs, epoch, mig, time);
        }
    }

    /** The migration to {@code toVersion}, or {@code null}. */
    public MigrationRecord migration(int toVersion) throws SQLException {
        try (Connection c = store.connect()) {
            return migration(c, toVersion);
        }
    }

    /** The cohorts of the migration to {@code toVersion}, in move order. */
    public List<CohortRecord> cohorts(int toVersion) throws SQLException {
        try (Connection c = store.connect()) {
            return cohorts(c, toVersion, true);
        }
    }

    /**
     * The cohorts of the migration to {@code toVersion}, in move order, each with empty {@link
     * CohortRecord#marks()}: for routers' views and status summaries, read several times a second. The marks
     * (the migrator's resume point, kilobytes per cohort as a text LOB) are the migrator's alone; reading them
     * on every view was a fifth of the demo's allocations.
     */
    public List<CohortRecord> cohortStates(int toVersion) throws SQLException {
        try (Connection c = store.connect()) {
            return cohorts(c, toVersion, false);
        }
    }

    /** Records a new migration with its cohort plan, RUNNING, ledger rows still on the old version. */
    public long createMigration(int from, int to, List<Cohort> plan) throws SQLException {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO vshard_migration (to_version,"
                        + " from_version, state, ledger_on_next, ledger_held, started_at) VALUES (?, ?, ?, 0, 0, "
                        + store.nowSql() + ")")) {
                    ps.setInt(1, to);
                    ps.setInt(2, from);
                    ps.setString(3, MigrationRecord.RUNNING);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO vshard_cohort_state (version, cohort_id,"
                        + " old_shard, first_creator, last_creator, planned_rows, test, state, epoch, rows_copied,"
                        + " checks_passed, checks_failed, marks) VALUES (?, ?, ?, ?, ?, ?, ?, 'PLANNED', 0, 0, 0, 0,"
                        + " '')")) {
                    for (Cohort k : plan) {
                        ps.setInt(1, to);
                        ps.setInt(2, k.id());
                        ps.setInt(3, k.oldShard());
                        ps.setLong(4, k.firstCreator());
                        ps.setLong(5, k.lastCreator());
                        ps.setLong(6, k.plannedRows());
                        ps.setInt(7, k.test() ? 1 : 0);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                long e = bump(c);
                c.commit();
                return e;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Sets the migration's state (and last error, which may be {@code null}); returns the new epoch. Entering
     * COMPLETE records {@code completed_at} in fleet time (the store's clock plus the fleet offset), the same
     * time the routers' windows read, so the drain schedule stays right when the fleet clock moves later.
     */
    public long setMigrationState(int to, String state, String lastError) throws SQLException {
        if (state.equals(MigrationRecord.COMPLETE)) {
            return update(
                    "UPDATE vshard_migration SET state = ?, last_error = ?, completed_at = ? WHERE to_version = ?",
                    state,
                    lastError,
                    Timestamp.from(fleetTime()),
                    to);
        }
        return update(
                "UPDATE vshard_migration SET state = ?, last_error = ? WHERE to_version = ?", state, lastError, to);
    }

    /** Records a failure without changing the migration's state. */
    public void setMigrationError(int to, String lastError) throws SQLException {
        update("UPDATE vshard_migration SET last_error = ? WHERE to_version = ?", lastError, to);
    }

    /** Sets where ledger rows of the effective window on live and whether their writes are held. */
    public long setLedger(int to, boolean onNext, boolean held) throws SQLException {
        return update(
                "UPDATE vshard_migration SET ledger_on_next = ?, ledger_held = ? WHERE to_version = ?",
                onNext ? 1 : 0,
                held ? 1 : 0,
                to);
    }

    /** Moves a cohort to {@code state}, effective now; returns the new epoch. */
    public long setCohortState(int to, int cohortId, CohortState state) throws SQLException {
        return setCohortStates(to, List.of(cohortId), state);
    }

    /**
     * Moves several cohorts to {@code state} in one transaction, effective now, under one new epoch (a group
     * fence: the routers acknowledge it once for all of them); returns the epoch.
     */
    public long setCohortStates(int to, List<Integer> cohortIds, CohortState state) throws SQLException {
        return inOneTransaction(
                true,
                "UPDATE vshard_cohort_state SET state = ?, epoch = ?, effective_at = " + store.nowSql()
                        + " WHERE version = ? AND cohort_id = ?",
                cohortIds,
                (ps, id, e) -> {
                    ps.setString(1, state.name());
                    ps.setLong(2, e);
                    ps.setInt(3, to);
                    ps.setInt(4, id);
                });
    }

    /**
     * Records the journal marks a cohort's move resumes from and moves it to {@code state}, effective now, in one
     * transaction (one commit where a progress record and a state change took two); returns the new epoch.
     */
    public long setCohortState(int to, int cohortId, CohortState state, String marks) throws SQLException {
        return cohortUpdate(to, cohortId, state, "marks = ?", marks);
    }

    /**
     * Records a passed digest check (the digests on both sides) and moves the cohort to {@code state}, effective
     * now, in one transaction: the flip to NEW commits with the check that allowed it; returns the new epoch.
     */
    public long passCheck(int to, int cohortId, String oldDigest, String newDigest, CohortState state)
            throws SQLException {
        return cohortUpdate(
                to,
                cohortId,
                state,
                "digest_old = ?, digest_new = ?, last_error = NULL, checks_passed = checks_passed + 1",
                oldDigest,
                newDigest);
    }

    /** A cohort's passed digest check: the digests on both sides. */
    public record PassedCheck(int cohortId, String oldDigest, String newDigest, long deltaRows) {}

    /**
     * {@link #passCheck} for several cohorts in one transaction under one new epoch (a group flipping together);
     * returns the epoch.
     */
    public long passChecks(int to, List<PassedCheck> checks, CohortState state) throws SQLException {
        return inOneTransaction(
                true,
                "UPDATE vshard_cohort_state SET state = ?, epoch = ?, effective_at = " + store.nowSql()
                        + ", digest_old = ?, digest_new = ?, last_error = NULL, checks_passed = checks_passed + 1,"
                        + " rows_copied = rows_copied + ? WHERE version = ? AND cohort_id = ?",
                checks,
                (ps, p, e) -> {
                    ps.setString(1, state.name());
                    ps.setLong(2, e);
                    ps.setString(3, p.oldDigest());
                    ps.setString(4, p.newDigest());
                    ps.setLong(5, p.deltaRows());
                    ps.setInt(6, to);
                    ps.setInt(7, p.cohortId());
                });
    }

    /** Binds one row of a batched update; {@code epoch} is the transaction's new epoch (0 without one). */
    private interface Binder<T> {
        void bind(PreparedStatement ps, T row, long epoch) throws SQLException;
    }

    /**
     * Runs {@code sql} once per row of {@code rows}, as one batch in one transaction, under a new epoch when
     * {@code newEpoch}; returns that epoch (0 without one).
     */
    private <T> long inOneTransaction(boolean newEpoch, String sql, List<T> rows, Binder<T> binder)
            throws SQLException {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                long e = newEpoch ? bump(c) : 0;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (T row : rows) {
                        binder.bind(ps, row, e);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                return e;
            } catch (SQLException ex) {
                c.rollback();
                throw ex;
            }
        }
    }

    /** Sets a cohort's state under a new epoch together with {@code assignments} (their values in order). */
    private long cohortUpdate(int to, int cohortId, CohortState state, String assignments, Object... values)
            throws SQLException {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                long e = bump(c);
                try (PreparedStatement ps = c.prepareStatement("UPDATE vshard_cohort_state SET state = ?, epoch = ?,"
                        + " effective_at = " + store.nowSql() + ", " + assignments
                        + " WHERE version = ? AND cohort_id = ?")) {
                    int i = 1;
                    ps.setString(i++, state.name());
                    ps.setLong(i++, e);
                    for (Object v : values) {
                        ps.setObject(i++, v);
                    }
                    ps.setInt(i++, to);
                    ps.setInt(i, cohortId);
                    if (ps.executeUpdate() != 1) {
                        throw new SQLException("no cohort " + cohortId + " in the migration to v" + to, "55000");
                    }
                }
                c.commit();
                return e;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** A cohort's rows copied since its last record and the marks its move resumes from. */
    public record CohortProgress(int cohortId, long rowsCopied, String marks) {}

    /**
     * Moves several cohorts to COPYING under one new epoch together with the marks their moves start from, in
     * one transaction (a group of cohorts copied in one pass); returns the epoch.
     */
    public long startCopying(int to, List<CohortProgress> cohorts) throws SQLException {
        return inOneTransaction(
                true,
                "UPDATE vshard_cohort_state SET state = ?, epoch = ?, effective_at = " + store.nowSql()
                        + ", marks = ? WHERE version = ? AND cohort_id = ?",
                cohorts,
                (ps, p, e) -> {
                    ps.setString(1, CohortState.COPYING.name());
                    ps.setLong(2, e);
                    ps.setString(3, p.marks());
                    ps.setInt(4, to);
                    ps.setInt(5, p.cohortId());
                });
    }

    /** {@link #recordProgress(int, int, long, String)} for several cohorts in one transaction. */
    public void recordProgress(int to, List<CohortProgress> cohorts) throws SQLException {
        if (cohorts.isEmpty()) {
            return;
        }
        inOneTransaction(
                false,
                "UPDATE vshard_cohort_state SET rows_copied = rows_copied + ?, marks = ? WHERE version = ? AND"
                        + " cohort_id = ?",
                cohorts,
                (ps, p, e) -> {
                    ps.setLong(1, p.rowsCopied());
                    ps.setString(2, p.marks());
                    ps.setInt(3, to);
                    ps.setInt(4, p.cohortId());
                });
    }

    /** Adds copied rows and records the journal marks the migrator resumes from. */
    public void recordProgress(int to, int cohortId, long rowsCopied, String marks) throws SQLException {
        try (Connection c = store.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE vshard_cohort_state SET rows_copied ="
                        + " rows_copied + ?, marks = ? WHERE version = ? AND cohort_id = ?")) {
            ps.setLong(1, rowsCopied);
            ps.setString(2, marks);
            ps.setInt(3, to);
            ps.setInt(4, cohortId);
            ps.executeUpdate();
        }
    }

    /** Records a digest check: the digests on both sides and, when they differ, what differed. */
    public void recordCheck(int to, int cohortId, String oldDigest, String newDigest, String error)
            throws SQLException {
        String counter = error == null ? "checks_passed = checks_passed + 1" : "checks_failed = checks_failed + 1";
        try (Connection c = store.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE vshard_cohort_state SET digest_old = ?,"
                        + " digest_new = ?, last_error = ?, " + counter + " WHERE version = ? AND cohort_id = ?")) {
            ps.setString(1, oldDigest);
            ps.setString(2, newDigest);
            ps.setString(3, error);
            ps.setInt(4, to);
            ps.setInt(5, cohortId);
            ps.executeUpdate();
        }
    }

    /**
     * Retires {@code from}, activates {@code to} and marks the migration DRAINING, in one transaction; the
     * migrator marks it DRAINED once the old copies are deleted.
     */
    public long retire(int from, int to) throws SQLException {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                exec(c, "UPDATE vshard_manifest SET state = 'RETIRED' WHERE version = ?", from);
                exec(c, "UPDATE vshard_manifest SET state = 'ACTIVE' WHERE version = ?", to);
                exec(c, "UPDATE vshard_migration SET state = 'DRAINING' WHERE to_version = ?", to);
                long e = bump(c);
                c.commit();
                return e;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Takes or renews the migrator lease: succeeds when nobody holds it, {@code holder} already does, or the
     * holder let it expire (a killed migrator). Times are the store's clock.
     */
    public boolean acquireLease(String holder, Duration ttl) throws SQLException {
        try (Connection c = store.connect()) {
            Instant now = store.now();
            Timestamp until = Timestamp.from(now.plus(ttl));
            try (PreparedStatement ps = c.prepareStatement("UPDATE vshard_migrator_lease SET holder = ?,"
                    + " expires_at = ? WHERE id = 1 AND (holder = ? OR expires_at < ?)")) {
                ps.setString(1, holder);
                ps.setTimestamp(2, until);
                ps.setString(3, holder);
                ps.setTimestamp(4, Timestamp.from(now));
                if (ps.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO vshard_migrator_lease (id, holder, expires_at) VALUES (1, ?, ?)")) {
                ps.setString(1, holder);
                ps.setTimestamp(2, until);
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                return false;
            }
        }
    }

    /** Gives the lease up (a clean stop). */
    public void releaseLease(String holder) throws SQLException {
        update("DELETE FROM vshard_migrator_lease WHERE holder = ?", holder);
    }

    private long update(String sql, Object... args) throws SQLException {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                exec(c, sql, args);
                long e = bump(c);
                c.commit();
                return e;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    static long bump(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE vshard_setting SET num = num + 1 WHERE name = 'epoch'");
        }
        return setting(c, "epoch");
    }

    private static long setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT num FROM vshard_setting WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static MigrationRecord migration(Connection c, int to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT from_version, to_version, state, ledger_on_next,"
                + " ledger_held, started_at, completed_at, last_error FROM vshard_migration WHERE to_version = ?")) {
            ps.setInt(1, to);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Timestamp done = rs.getTimestamp(7);
                return new MigrationRecord(
                        rs.getInt(1),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getInt(4) != 0,
                        rs.getInt(5) != 0,
                        rs.getTimestamp(6).toInstant(),
                        done == null ? null : done.toInstant(),
                        rs.getString(8));
            }
        }
    }

    private static List<CohortRecord> cohorts(Connection c, int to, boolean marks) throws SQLException {
        List<CohortRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cohort_id, old_shard, first_creator, last_creator,"
                + " planned_rows, test, state, epoch, effective_at, rows_copied, digest_old, digest_new,"
                + " checks_passed, checks_failed, last_error, " + (marks ? "marks" : "''")
                + " FROM vshard_cohort_state WHERE version = ? ORDER BY cohort_id")) {
            ps.setInt(1, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Cohort k = new Cohort(
                            rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getInt(6) != 0);
                    Timestamp at = rs.getTimestamp(9);
                    out.add(new CohortRecord(
                            k,
                            CohortState.valueOf(rs.getString(7)),
                            rs.getLong(8),
                            at == null ? null : at.toInstant(),
                            rs.getLong(10),
                            rs.getString(11),
                            rs.getString(12),
                            rs.getInt(13),
                            rs.getInt(14),
                            rs.getString(15),
                            rs.getString(16)));
                }
            }
        }
        return out;
    }
}
