package io.vshard.migrate;

import io.vshard.control.CohortRecord;
import io.vshard.control.ManifestPublisher;
import io.vshard.control.MigrationRecord;
import io.vshard.control.MigrationStore;
import io.vshard.control.RouterView;
import io.vshard.engine.Engine;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortPlanner;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.Placement;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The migration commands, for admin SQL, the {@code vshard} command line and the demo: publish a manifest,
 * start, pause, resume and roll back the migration, status, cohorts, and an on-demand digest check. Every
 * command writes the control store; the migrator (started here or in any other process) acts on it. Thread
 * safe.
 */
public final class MigrationControl {
    private final Engine engine;
    private final MigrationStore store;
    private Migrator migrator;

    /** Commands over {@code engine}'s configuration and control store. */
    public MigrationControl(Engine engine) {
        this.engine = engine;
        this.store = new MigrationStore(engine.controlStore());
    }

    /**
     * Verifies and publishes a manifest file (PUBLISH MANIFEST); every router loads it on its next refresh.
     *
     * @throws SQLException F0000 naming the problem when refused; nothing changed then
     */
    public Manifest publish(Path file) throws SQLException {
        Manifest m = new ManifestPublisher(engine.controlStore(), engine.config()).publish(file, now());
        engine.refresh();
        return m;
    }

    /**
     * Starts the migration to the published next version (planning its cohorts the first time), or restarts
     * one that was rolled back or paused.
     *
     * @throws SQLException 55000 explaining what is missing (no published next version, boundary window not
     *     reached, a rollback still running)
     */
    public MigrationStatus start() throws SQLException {
        RouterView v = store.view();
        Manifest next = v.routing().next();
        if (next == null) {
            throw state("START MIGRATION needs a published next version: v"
                    + v.routing().active().version()
                    + " is active and no v" + (v.routing().active().version() + 1)
                    + " is published; run PUBLISH MANIFEST '<path to v"
                    + (v.routing().active().version() + 1)
                    + ".yaml>' first");
        }
        if (next.boundaryStart() == null || now().isBefore(next.boundaryStart())) {
            throw state("START MIGRATION to v" + next.version() + " must wait for its boundary window, which starts at "
                    + next.boundaryStart() + " (now " + now() + "): the routing-metadata journal is not on yet");
        }
        MigrationRecord m = v.migration();
        if (m == null) {
            List<Cohort> plan = plan(v);
            store.createMigration(v.routing().active().version(), next.version(), plan);
        } else if (m.state().equals(MigrationRecord.ROLLED_BACK) || m.state().equals(MigrationRecord.PAUSED)) {
            store.setMigrationState(next.version(), MigrationRecord.RUNNING, null);
        } else if (m.state().equals(MigrationRecord.ROLLING_BACK)) {
            throw state("the migration to v" + next.version() + " is rolling back; start it again once it is"
                    + " ROLLED_BACK");
        }
        engine.refresh();
        return status();
    }

    /** Pauses a running migration after the current batch; routing stays as it is. */
    public MigrationStatus pause() throws SQLException {
        return change(MigrationRecord.PAUSED, MigrationRecord.RUNNING);
    }

    /** Resumes a paused migration. */
    public MigrationStatus resume() throws SQLException {
        return change(MigrationRecord.RUNNING, MigrationRecord.PAUSED);
    }

    /** Rolls the migration back: every NEW cohort moves back, then the ledger rows of the effective window. */
    public MigrationStatus rollback() throws SQLException {
        return change(
                MigrationRecord.ROLLING_BACK,
                MigrationRecord.RUNNING,
                MigrationRecord.PAUSED,
                MigrationRecord.COMPLETE);
    }

    private MigrationStatus change(String to, String... from) throws SQLException {
        MigrationRecord m = current();
        if (m == null || !List.of(from).contains(m.state())) {
            throw state("the migration is " + (m == null ? "not started" : m.state()) + "; this needs it to be "
                    + String.join(" or ", from));
        }
        store.setMigrationState(m.toVersion(), to, null);
        engine.refresh();
        return status();
    }

    /** The migration's status. */
    public MigrationStatus status() throws SQLException {
        MigrationRecord m = current();
        if (m == null) {
            return new MigrationStatus(0, 0, "NONE", Map.of(), 0, 0, 0, 0, 0, 0, -1, null);
        }
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (CohortState s : CohortState.values()) {
            byState.put(s.name(), 0);
        }
        long planned = 0;
        long onNew = 0;
        int cohortsOnNew = 0;
        long passed = 0;
        long failed = 0;
        long copied = 0;
        String lastError = m.lastError();
        List<CohortRecord> cohorts = store.cohortStates(m.toVersion());
        for (CohortRecord c : cohorts) {
            byState.merge(c.state().name(), 1, Integer::sum);
            planned += c.cohort().plannedRows();
            if (c.state().servedByNew()
                    || m.state().equals(MigrationRecord.DRAINED)
                    || m.state().equals(MigrationRecord.DRAINING)) {
                onNew += c.cohort().plannedRows();
                cohortsOnNew++;
            }
            passed += c.checksPassed();
            failed += c.checksFailed();
            copied += c.rowsCopied();
            if (lastError == null && c.lastError() != null) {
                lastError = "cohort " + c.cohort().id() + ": " + c.lastError();
            }
        }
        double seconds = Math.max(
                1, Duration.between(m.startedAt(), engine.controlStore().now()).toSeconds());
        double rate = copied / seconds;
        long eta = rate <= 0 ? -1 : (long) ((planned - onNew) / rate);
        return new MigrationStatus(
                m.fromVersion(),
                m.toVersion(),
                m.state(),
                byState,
                cohorts.isEmpty() ? 0 : 100.0 * cohortsOnNew / cohorts.size(),
                planned == 0 ? 0 : 100.0 * onNew / planned,
                passed,
                failed,
                copied,
                rate,
                eta,
                lastError);
    }

    /**
     * The cohorts, optionally only those in {@code state} ({@code null} for all), without the migrator's journal
     * marks ({@link CohortRecord#marks()} is empty).
     */
    public List<CohortRecord> cohorts(CohortState state) throws SQLException {
        MigrationRecord m = current();
        if (m == null) {
            return List.of();
        }
        List<CohortRecord> out = new ArrayList<>();
        for (CohortRecord c : store.cohortStates(m.toVersion())) {
            if (state == null || c.state() == state) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Computes a cohort's digests on both sides now (VERIFY COHORT n) and records the check.
     *
     * @return {@code null} when they match, else what differed (cohort, table, key range)
     */
    public String verify(int cohortId) throws SQLException {
        try (Migrator m = new Migrator(engine, MigrationListener.NONE)) {
            return m.verify(cohortId);
        }
    }

    /** Starts a migrator in this process (if this control has none running) and returns it. */
    public synchronized Migrator startMigrator(MigrationListener listener) {
        if (migrator == null || !migrator.alive()) {
            migrator = new Migrator(engine, listener);
            migrator.start();
        }
        return migrator;
    }

    /** Stops this process's migrator, if any. */
    public synchronized void stopMigrator() {
        if (migrator != null) {
            migrator.close();
            migrator = null;
        }
    }

    private MigrationRecord current() throws SQLException {
        RouterView v = store.view();
        if (v.migration() != null) {
            return v.migration();
        }
        if (v.routing().next() == null) {
            // After a drain the migration to the now active version is the last one.
            return store.migration(v.routing().active().version());
        }
        return null;
    }

    private Instant now() {
        return engine.clock().instant();
    }

    /** Samples rows per creator on every old shard and plans the cohorts, hottest shards first. */
    private List<Cohort> plan(RouterView v) throws SQLException {
        Manifest active = v.routing().active();
        Manifest next = v.routing().next();
        Map<Integer, TreeMap<Long, Long>> perShard = new TreeMap<>();
        try (ShardLinks links = new ShardLinks(engine.config())) {
            for (int s = 0; s < active.shardCount(); s++) {
                ShardLocation l = active.locate(s);
                TreeMap<Long, Long> creators = perShard.computeIfAbsent(s, k -> new TreeMap<>());
                for (TableRule t : CohortMove.shardedTables(engine)) {
                    try (PreparedStatement ps = links.get(l.dataSource(), ShardLinks.READ)
                                    .prepareStatement("SELECT " + t.creatorColumn() + ", COUNT(*) FROM "
                                            + TableRows.qualified(l, t) + " GROUP BY " + t.creatorColumn());
                            ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long id = rs.getLong(1);
                            if (Placement.shardsOf(active, ShardKey.of(id))
                                            .get(0)
                                            .shard()
                                    == s) {
                                creators.merge(id, rs.getLong(2), Long::sum);
                            }
                        }
                    }
                }
            }
        }
        return CohortPlanner.plan(
                perShard, next.migration().cohortTargetRows(), next.migration().testCohortRows());
    }

    private static SQLException state(String message) {
        return VShardSQLException.of(VShardState.MIGRATION_STATE, null, message);
    }
}
