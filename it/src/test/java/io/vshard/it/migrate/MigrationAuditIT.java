package io.vshard.it.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.control.CohortRecord;
import io.vshard.control.MigrationStore;
import io.vshard.engine.Engine;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import io.vshard.migrate.MigrationControl;
import io.vshard.migrate.MigrationListener;
import io.vshard.migrate.MigrationStatus;
import io.vshard.migrate.Migrator;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit (issue 5): a full v1 → v2 migration on real PostgreSQL under concurrent writers and readers
 * through two router instances, with the migrator killed and resumed elsewhere mid-cohort, a shard's
 * connections cut, a rollback at about 40% and a restart to completion on a third router (three cohorts at
 * once), then a drain. At the end the shards
 * are read directly and compared with the writers' own ledger: every acknowledged write exactly once at its
 * placement, nothing that was not written, sums per creator per window equal, every cohort proved by digest.
 */
class MigrationAuditIT {
    private static final int CREATORS = Integer.getInteger("audit.creators", 1_500);
    private static final int PAYMENTS = Integer.getInteger("audit.payments", 15_000);
    private static final long MIN_WRITES = Long.getLong("audit.minWrites", 100_000);

    @TempDir
    Path dir;

    MigrationFleet fleet;
    private String workers;

    /**
     * Three cohorts at once when the migrator's router has no statements of its own (the default too, set here so a
     * changed default does not drop it): the restart after the rollback runs so; before it, on a router with the
     * writers' traffic, the latency budget keeps the migrator to one.
     */
    @BeforeEach
    void threeWorkers() {
        workers = System.setProperty(Migrator.WORKERS_PROPERTY, "3");
    }

    @AfterEach
    void stop() throws Exception {
        if (workers == null) {
            System.clearProperty(Migrator.WORKERS_PROPERTY);
        } else {
            System.setProperty(Migrator.WORKERS_PROPERTY, workers);
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    private static void sql(Connection c, String command) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(command);
        }
    }

    @Test
    void liveMigrationLosesNothingAndDuplicatesNothing() throws Exception {
        fleet = new MigrationFleet(
                dir,
                new MigrationStrategy(1_500, 150, 1_000),
                new RollbackTriggers(RollbackTriggers.Action.ROLLBACK, 0, 0, RollbackTriggers.Action.PAUSE),
                new ScenarioDataset(42, CREATORS, PAYMENTS, WindowId.parse("2027_W01"), 8));
        Engine a = fleet.router();
        Engine b = fleet.router();
        try (Connection c = fleet.vshard(0)) {
            sql(c, "PUBLISH MANIFEST '" + fleet.v2.toAbsolutePath() + "'");
        }
        fleet.createTables();
        fleet.load();
        fleet.moveClockTo(MigrationFleet.AT_BOUNDARY);
        AuditWriters app = new AuditWriters(fleet);
        app.start(6, 2);
        Thread.sleep(1_000);
        long t0 = System.nanoTime();
        app.migrating.set(true);
        try (Connection c = fleet.vshard(0)) {
            sql(c, "START MIGRATION");
        }
        MigrationControl control = b.migrationControl();
        List<String> events = new ArrayList<>();
        List<Long> pauses = java.util.Collections.synchronizedList(new ArrayList<>());
        MigrationListener flips = new MigrationListener() {
            @Override
            public void flipped(io.vshard.manifest.cohort.Cohort cohort, long pauseMillis) {
                pauses.add(pauseMillis);
            }
        };

        // The migrator (on router A) is killed mid-cohort; router B's migrator resumes after the lease expires.
        await(control, () -> copyingMidway(control));
        Migrator first = a.migrationControl().startMigrator(MigrationListener.NONE);
        first.kill();
        events.add("killed migrator " + first.id() + " during " + copying(control));
        fleet.moveClockTo(Instant.parse("2027-03-08T00:00:05Z"));
        control.startMigrator(flips);

        await(control, () -> control.status().cohortsOnNewPercent() >= 15);
        events.add("cut " + fleet.cutConnections("db_b") + " connections to db_b");

        await(control, () -> control.status().cohortsOnNewPercent() >= 40);
        try (Connection c = fleet.vshard(1)) {
            sql(c, "PAUSE MIGRATION");
        }
        // A fast machine moves cohorts faster than the writers write: hold the migration at 40% until more
        // than half of the writes the audit needs were acknowledged during it.
        long hold = System.nanoTime() + 120_000_000_000L;
        while (app.writesDuringMigration.get() < MIN_WRITES * 6 / 10 && System.nanoTime() < hold) {
            Thread.sleep(100);
        }
        try (Connection c = fleet.vshard(1)) {
            sql(c, "ROLLBACK MIGRATION");
        }
        events.add("ROLLBACK MIGRATION at "
                + String.format("%.0f%%", control.status().cohortsOnNewPercent()));
        await(control, () -> control.status().state().equals("ROLLED_BACK"));
        events.add("rolled back: " + control.status().cohortsByState());
        // The restart runs on a third router that carries none of the writers' statements, as a proxy or the
        // command line would: its latency budget sees no traffic, so it moves three cohorts at once under the
        // other routers' writes (the first half, on B, moved one at a time, resting for its own traffic).
        control.stopMigrator();
        Engine c3 = fleet.router();
        c3.migrationControl().startMigrator(flips);
        try (Connection c = fleet.vshard(2)) {
            sql(c, "START MIGRATION");
        }
        events.add("restarted on router " + c3.routerId() + ", which carries no statements of its own");
        await(control, () -> control.status().state().equals("COMPLETE"));
        // Likewise at the end: the writers go on against the completed (not yet drained) migration, with both
        // versions live, until the audit's count of writes during the migration is reached.
        while (app.writesDuringMigration.get() < MIN_WRITES && System.nanoTime() < hold + 120_000_000_000L) {
            Thread.sleep(100);
        }
        app.migrating.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        MigrationStatus done = control.status();
        app.stop();

        fleet.moveClockTo(Instant.parse("2027-03-29T00:00:05Z"));
        await(
                control,
                () -> new MigrationStore(b.controlStore()).migration(2).state().equals("DRAINED"));
        for (Engine e : fleet.engines) {
            e.refresh();
        }
        Audit audit = audit(b.routingState(), app);
        List<Long> sorted = new ArrayList<>(pauses);
        java.util.Collections.sort(sorted);
        if (!sorted.isEmpty()) {
            System.out.printf(
                    "audit: write pause per cohort flip (fence to NEW) over %d flips: p50 %d ms, p99 %d ms%n",
                    sorted.size(),
                    sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)));
        }
        List<CohortRecord> cohorts = control.cohorts(null);
        long passed = 0;
        long failed = 0;
        for (CohortRecord c : cohorts) {
            passed += c.checksPassed();
            failed += c.checksFailed();
        }
        System.out.printf(
                "audit: %d writes acknowledged (%d during the %.0f s migration), %d reads, %d retries; payments:"
                        + " %d acknowledged, %d present, %d lost, %d duplicated, %d unexpected, %d misplaced,"
                        + " %d creator-window sums differ; balances: %d differ, %d uncertain; digest checks: %d"
                        + " passed, %d failed over %d cohorts; errors %s; events %s; final status %s%n",
                app.writes.get(),
                app.writesDuringMigration.get(),
                seconds,
                app.reads.get(),
                app.retries.get(),
                app.acked.size(),
                audit.present,
                audit.lost,
                audit.duplicated,
                audit.unexpected,
                audit.misplaced,
                audit.sumsDiffer,
                audit.balancesDiffer,
                app.uncertainBalances.size(),
                passed,
                failed,
                cohorts.size(),
                app.errors,
                events,
                done);
        assertThat(audit.lost).as("lost writes").isZero();
        assertThat(audit.duplicated).as("duplicated rows").isZero();
        assertThat(audit.unexpected).as("rows nobody wrote").isZero();
        assertThat(audit.misplaced).as("rows away from their placement").isZero();
        assertThat(audit.sumsDiffer).as("creator-window sums").isZero();
        assertThat(audit.balancesDiffer).as("balances").isZero();
        assertThat(cohorts).allSatisfy(c -> assertThat(c.state().name()).isEqualTo("NEW"));
        assertThat(passed).isGreaterThanOrEqualTo(cohorts.size());
        assertThat(app.writesDuringMigration.get()).isGreaterThanOrEqualTo(MIN_WRITES);
    }

    private static boolean copyingMidway(MigrationControl control) throws SQLException {
        for (CohortRecord c : control.cohorts(null)) {
            if (c.cohort().id() >= 2 && c.state().name().equals("COPYING") && c.rowsCopied() > 0) {
                return true;
            }
        }
        return false;
    }

    private static String copying(MigrationControl control) throws SQLException {
        for (CohortRecord c : control.cohorts(null)) {
            if (c.state().name().equals("COPYING")) {
                return "cohort " + c.cohort().id() + " (" + c.rowsCopied() + " rows copied)";
            }
        }
        return "no cohort";
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(MigrationControl control, Check check) throws Exception {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; status " + control.status());
            }
            MigrationStatus s = control.status();
            if (s.state().equals("PAUSED")) {
                throw new AssertionError("the migration paused: " + s.lastError());
            }
            Thread.sleep(200);
        }
    }

    static final class Audit {
        long present;
        long lost;
        long duplicated;
        long unexpected;
        long misplaced;
        long sumsDiffer;
        long balancesDiffer;
    }

    /** Reads every shard directly and compares with the writers' ledger. */
    private Audit audit(RoutingState state, AuditWriters app) throws SQLException {
        Audit out = new Audit();
        Map<Long, Integer> seen = new HashMap<>();
        Map<String, BigDecimal> sums = new HashMap<>();
        Map<Long, BigDecimal> balances = new HashMap<>();
        Map<Long, Long> updates = new HashMap<>();
        for (ShardLocation l : fleet.locations()) {
            try (Connection c = fleet.direct(l.dataSource());
                    Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery(
                        "SELECT payment_id, creator_id, region, window_id, amount FROM " + l.schema() + ".payments")) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        seen.merge(id, 1, Integer::sum);
                        ShardLocation at = fleet.place(
                                state, "payments", rs.getLong(2), rs.getString(3), WindowId.parse(rs.getString(4)));
                        if (!at.equals(l)) {
                            out.misplaced++;
                        }
                        sums.merge(rs.getLong(2) + "/" + rs.getString(4), rs.getBigDecimal(5), BigDecimal::add);
                    }
                }
                try (ResultSet rs = st.executeQuery(
                        "SELECT creator_id, region, balance, updates FROM " + l.schema() + ".balances")) {
                    while (rs.next()) {
                        if (!fleet.place(state, "balances", rs.getLong(1), rs.getString(2), null)
                                .equals(l)) {
                            out.misplaced++;
                        }
                        if (balances.put(rs.getLong(1), rs.getBigDecimal(3)) != null) {
                            out.duplicated++;
                        }
                        updates.put(rs.getLong(1), rs.getLong(4));
                    }
                }
            }
        }
        Map<String, BigDecimal> expected = new HashMap<>();
        for (io.vshard.manifest.scenario.Payment p : fleet.dataset.payments()) {
            expected.merge(p.creatorId() + "/" + p.window(), p.amount(), BigDecimal::add);
            out.lost += seen.containsKey(p.paymentId()) ? 0 : 1;
        }
        for (AuditWriters.Written w : app.attempted.values()) {
            boolean acked = app.acked.containsKey(w.paymentId());
            if (acked && !seen.containsKey(w.paymentId())) {
                out.lost++;
                System.out.printf(
                        "audit: LOST payment %d (creator %d, region %s, window %s) placed at %s; failed attempts %s%n",
                        w.paymentId(),
                        w.creatorId(),
                        w.region(),
                        w.window(),
                        fleet.place(state, "payments", w.creatorId(), w.region(), WindowId.parse(w.window())),
                        app.failedAttempts.get(w.paymentId()));
            }
            if (acked || seen.containsKey(w.paymentId())) {
                expected.merge(w.creatorId() + "/" + w.window(), w.amount(), BigDecimal::add);
            }
        }
        for (Map.Entry<Long, Integer> e : seen.entrySet()) {
            out.present++;
            if (e.getValue() > 1) {
                out.duplicated++;
            }
            if (e.getKey() > PAYMENTS && !app.attempted.containsKey(e.getKey())) {
                out.unexpected++;
            }
        }
        for (Map.Entry<String, BigDecimal> e : expected.entrySet()) {
            BigDecimal got = sums.get(e.getKey());
            if (got == null || got.compareTo(e.getValue()) != 0) {
                out.sumsDiffer++;
            }
        }
        out.sumsDiffer += Math.max(0, sums.size() - expected.size());
        for (Creator c : fleet.dataset.creators()) {
            if (app.uncertainBalances.contains(c.id())) {
                continue;
            }
            BigDecimal want = app.balance.getOrDefault(c.id(), BigDecimal.ZERO);
            BigDecimal got = balances.get(c.id());
            if (got == null
                    || got.compareTo(want) != 0
                    || updates.get(c.id()) != (long) app.balanceUpdates.getOrDefault(c.id(), 0L)) {
                out.balancesDiffer++;
            }
        }
        return out;
    }
}
