package io.vshard.it.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.control.CohortRecord;
import io.vshard.engine.Engine;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import io.vshard.migrate.MigrationControl;
import io.vshard.migrate.MigrationListener;
import io.vshard.migrate.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refused manifests, START without a next version, and an injected digest mismatch rolled back. */
class MigrationFaultsIT {
    @TempDir
    Path dir;

    MigrationFleet fleet;
    Engine router;

    @BeforeEach
    void start() throws Exception {
        fleet = new MigrationFleet(
                dir,
                new MigrationStrategy(2_000, 200, 500),
                new RollbackTriggers(RollbackTriggers.Action.ROLLBACK, 0, 0, RollbackTriggers.Action.PAUSE),
                new ScenarioDataset(7, 400, 4_000, WindowId.parse("2027_W01"), 8));
        router = fleet.router();
        fleet.createTables();
    }

    @AfterEach
    void stop() throws Exception {
        fleet.close();
    }

    private List<String> manifests() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW SHARD MANIFESTS")) {
            while (rs.next()) {
                out.add("v" + rs.getInt("version") + " " + rs.getString("state") + " " + rs.getString("manifest_hash"));
            }
        }
        return out;
    }

    private void publish(Path p) throws SQLException {
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement()) {
            st.execute("PUBLISH MANIFEST '" + p.toAbsolutePath() + "'");
        }
    }

    @Test
    void badManifestsAreRefusedAndNothingChanges() throws Exception {
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("START MIGRATION"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("no v2 is published")
                    .hasMessageContaining("PUBLISH MANIFEST")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("55000");
        }
        List<String> before = manifests();
        Manifest v2 = ManifestCodec.parse("v2", Files.readString(fleet.v2));
        Path unsigned = dir.resolve("unsigned.yaml");
        Files.writeString(unsigned, ManifestCodec.write(v2.withSignature(null)));
        Path tampered = dir.resolve("tampered.yaml");
        Files.writeString(tampered, Files.readString(fleet.v2).replace("batch_rows: 500", "batch_rows: 501"));
        Path v3 = dir.resolve("v3.yaml");
        Manifest third = new Manifest(
                3,
                2,
                v2.shardFunction(),
                v2.placement(),
                v2.boundaryStart(),
                v2.effectiveWindow(),
                v2.migration(),
                v2.verification(),
                v2.rollbackTriggers(),
                null);
        MigrationFleet.write(v3, ManifestSigner.sign(third, fleet.keys.getPrivate(), fleet.keys.getPublic()));
        assertRefused(unsigned, "unsigned");
        assertRefused(tampered, "signature check failed");
        assertRefused(v3, "out of order");
        fleet.moveClockTo(java.time.Instant.parse("2027-03-04T00:00:00Z"));
        assertRefused(fleet.v2, "in the past");
        assertThat(manifests()).isEqualTo(before);

        fleet.moveClockTo(MigrationFleet.BEFORE_BOUNDARY);
        publish(fleet.v2);
        publish(fleet.v2);
        assertThat(manifests()).hasSize(2);
        assertThat(manifests().get(1)).startsWith("v2 PUBLISHED");
        assertThat(router.routingState().next().version()).isEqualTo(2);
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("START MIGRATION"))
                    .hasMessageContaining("boundary window")
                    .hasMessageContaining("journal is not on yet");
        }
    }

    private void assertRefused(Path p, String why) {
        assertThatThrownBy(() -> publish(p))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("nothing changed")
                .hasMessageContaining(why)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("F0000");
    }

    @Test
    void digestMismatchIsDetectedAndTheCohortRolledBack() throws Exception {
        MigrationControl control = startedAtTheBoundary();
        AtomicReference<String> altered = new AtomicReference<>();
        // Fenced in groups of two, so the cohort moved with the mismatching one is sent back to COPYING too.
        System.setProperty(io.vshard.migrate.Migrator.FENCE_GROUP_PROPERTY, "2");
        try {
            control.startMigrator(new MigrationListener() {
                @Override
                public void copied(Cohort cohort) {
                    if (cohort.id() == 1 && altered.get() == null) {
                        altered.set(alterOneMovedRow(cohort));
                    }
                }
            });
        } finally {
            System.clearProperty(io.vshard.migrate.Migrator.FENCE_GROUP_PROPERTY);
        }
        MigrationStatus s = await(() -> control.status().state().equals("PAUSED"), control);
        assertThat(altered.get()).isNotNull();
        assertThat(s.lastError())
                .contains("digest mismatch in cohort 1")
                .contains("table payments")
                .contains("creators ")
                .contains("rolled back");
        CohortRecord first = control.cohorts(null).get(0);
        assertThat(first.state()).isEqualTo(CohortState.PLANNED);
        assertThat(first.checksFailed()).isEqualTo(1);
        // Routers see the rollback on their next refresh (at most one heartbeat later); take it now.
        router.refresh();
        assertThat(router.routingState().cohorts().stateOf(first.cohort())).isEqualTo(CohortState.PLANNED);
        control.stopMigrator();
    }

    /**
     * The ledger cuts over when the effective window begins, not at START MIGRATION: while the migration runs
     * before it, a creator not yet moved is read in one place; a payment of the effective window written early
     * lands with its cohort on v1, and the cutover (which a pause does not hold back) moves it to v2, where it is
     * read back exactly once.
     */
    @Test
    void theLedgerCutsOverWhenTheEffectiveWindowBegins() throws Exception {
        MigrationControl control = startedAtTheBoundary();
        // One move at a time, so the pause lands near 10% and most cohorts stay PLANNED (moves under way when it is
        // recorded finish their step; three of them, on this tiny fleet, could reach most of the plan).
        System.setProperty(io.vshard.migrate.Migrator.WORKERS_PROPERTY, "1");
        try {
            control.startMigrator(MigrationListener.NONE);
        } finally {
            System.clearProperty(io.vshard.migrate.Migrator.WORKERS_PROPERTY);
        }
        await(() -> control.status().cohortsOnNewPercent() >= 10, control);
        control.pause();
        await(() -> control.cohorts(null).stream().noneMatch(c -> c.state() == CohortState.FENCED), control);
        router.refresh();
        RoutingState early = router.routingState();
        assertThat(early.ledgerOnNext())
                .as("ledger cut over before the effective window")
                .isFalse();
        WindowId effective = early.next().effectiveWindow();
        TableRule payments = router.config().tables().find("payments");
        Creator unmoved = null;
        for (Creator k : fleet.dataset.creators()) {
            ShardKey key = ShardKey.of(k.id(), k.region());
            int oldShard = Placement.onlyShardOf(early.active(), key).shard();
            if (early.cohorts().stateOf(early.cohorts().cohortOf(oldShard, k.id())) == CohortState.PLANNED) {
                assertThat(Placement.locate(early, payments, key, null).candidates())
                        .as("places of creator %d before the cutover", k.id())
                        .hasSize(1);
                unmoved = k;
                break;
            }
        }
        assertThat(unmoved).isNotNull();
        long id = 9_000_000_001L;
        try (Connection c = fleet.vshard(0);
                PreparedStatement ps = c.prepareStatement("INSERT INTO payments (payment_id, creator_id, region,"
                        + " tenant_id, window_id, event_id, amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?,"
                        + " 12.34, 'USD', ?)")) {
            ps.setLong(1, id);
            ps.setLong(2, unmoved.id());
            ps.setString(3, unmoved.region());
            ps.setLong(4, unmoved.id());
            ps.setString(5, effective.toString());
            ps.setLong(6, id);
            ps.setTimestamp(7, MigrationFleet.ts(effective.start()));
            assertThat(ps.executeUpdate()).isOne();
        }
        ShardLocation old = fleet.place(early, "payments", unmoved.id(), unmoved.region(), null);
        assertThat(rowsAt(old, id))
                .as("the early payment at its cohort's place, v1")
                .isOne();

        fleet.moveClockTo(effective.start().plus(java.time.Duration.ofHours(1)));
        await(
                () -> {
                    router.refresh();
                    return router.routingState().ledgerOnNext();
                },
                control);
        RoutingState cut = router.routingState();
        assertThat(control.status().state()).isEqualTo("PAUSED");
        assertThat(rowsAt(fleet.place(cut, "payments", unmoved.id(), unmoved.region(), effective), id))
                .as("the early payment on v2 after the cutover")
                .isOne();
        assertThat(Placement.locate(cut, payments, ShardKey.of(unmoved.id(), unmoved.region()), null)
                        .candidates())
                .hasSize(2);
        try (Connection c = fleet.vshard(0);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT COUNT(*) FROM payments WHERE creator_id = ? AND region = ? AND payment_id = ?")) {
            ps.setLong(1, unmoved.id());
            ps.setString(2, unmoved.region());
            ps.setLong(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1))
                        .as("the early payment read through vshard")
                        .isOne();
            }
        }
        control.stopMigrator();
    }

    /** v2 published, the dataset loaded under v1, the clock in the boundary window and START MIGRATION done. */
    private MigrationControl startedAtTheBoundary() throws Exception {
        loadedAtTheBoundary();
        MigrationControl control = router.migrationControl();
        control.start();
        return control;
    }

    /** How many payments rows with {@code paymentId} sit at {@code l}, read directly. */
    private long rowsAt(ShardLocation l, long paymentId) throws SQLException {
        try (Connection c = fleet.direct(l.dataSource());
                PreparedStatement ps =
                        c.prepareStatement("SELECT COUNT(*) FROM " + l.schema() + ".payments WHERE payment_id = ?")) {
            ps.setLong(1, paymentId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Small cohorts move in groups copied in one pass (up to the manifest's cohort size in rows); a digest
     * mismatch in the group's second cohort rolls back that cohort alone: the one flipped before it stays NEW,
     * the ones after it go back to COPYING, and a resumed migration moves them all and completes with every
     * row as it was.
     */
    @Test
    void digestMismatchInAGroupRollsBackThatCohortAlone() throws Exception {
        long[] before = loadedAtTheBoundary();
        MigrationControl control = router.migrationControl();
        control.start();
        List<Integer> copied = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicReference<String> altered = new AtomicReference<>();
        control.startMigrator(new MigrationListener() {
            @Override
            public void copied(Cohort cohort) {
                copied.add(cohort.id());
                // Cohort 1 is the test cohort (alone); 2 and 3 open the first group.
                if (cohort.id() == 3 && altered.get() == null) {
                    altered.set(alterOneMovedRow(cohort));
                }
            }
        });
        MigrationStatus s = await(() -> control.status().state().equals("PAUSED"), control);
        assertThat(altered.get()).isNotNull();
        assertThat(s.lastError()).contains("digest mismatch in cohort 3").contains("rolled back");
        List<CohortRecord> cohorts = control.cohorts(null);
        assertThat(cohorts.get(1).state()).isEqualTo(CohortState.NEW);
        assertThat(cohorts.get(2).state()).isEqualTo(CohortState.PLANNED);
        assertThat(cohorts.get(2).checksFailed()).isEqualTo(1);
        // The rest of the group was copied with it (one pass) and is unfenced, waiting to be checked again.
        assertThat(copied).contains(2, 3, 4);
        assertThat(cohorts.get(3).state()).isEqualTo(CohortState.COPYING);
        assertThat(cohorts.get(3).rowsCopied()).isPositive();

        control.resume();
        await(() -> control.status().state().equals("COMPLETE"), control);
        int failed = 0;
        for (CohortRecord c : control.cohorts(null)) {
            assertThat(c.state()).as("cohort %d", c.cohort().id()).isEqualTo(CohortState.NEW);
            failed += c.checksFailed();
        }
        assertThat(failed).isEqualTo(1);
        router.refresh();
        assertThat(paymentTotals()).containsExactly(before);
        control.stopMigrator();
    }

    /**
     * The latency budget: under point reads through the migrator's router, a budget every measured p95 exceeds
     * makes it rest between batches; every cohort is still proved and nothing changes.
     */
    @Test
    void theMigratorRestsForLiveReadsOverItsLatencyBudget() throws Exception {
        long[] before = loadedAtTheBoundary();
        MigrationControl control = router.migrationControl();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        Thread reader = new Thread(() -> {
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
            try (Connection c = fleet.vshard(0);
                    PreparedStatement ps = c.prepareStatement(
                            "SELECT COUNT(*), SUM(amount) FROM payments WHERE creator_id = ? AND region = ?")) {
                while (!stop.get()) {
                    Creator k = fleet.dataset.creator(rnd.nextLong(fleet.dataset.creatorCount()));
                    ps.setLong(1, k.id());
                    ps.setString(2, k.region());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                    reads.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        // Long enough for the baseline: three windows or more before the migrator starts.
        Thread.sleep(6 * io.vshard.engine.LiveLatency.WINDOW_NANOS / 1_000_000L);
        io.vshard.migrate.Migrator busy = budgetedMigrator(control);
        control.start();
        await(() -> control.status().state().equals("COMPLETE"), control);
        stop.set(true);
        reader.join(10_000);
        assertThat(reads.get()).isPositive();
        assertThat(busy.yieldedMillis()).as("rest for reads over the budget").isPositive();
        assertThat(control.status().checksFailed()).isZero();
        router.refresh();
        assertThat(paymentTotals()).containsExactly(before);
        control.stopMigrator();
    }

    @Test
    void withNoStatementsBesideItTheBudgetedMigratorNeverRests() throws Exception {
        long[] before = loadedAtTheBoundary();
        // The fan-out that read the totals is older than any window the budget acts on when the migrator copies.
        Thread.sleep(2 * 4 * io.vshard.engine.LiveLatency.WINDOW_NANOS / 1_000_000L);
        MigrationControl control = router.migrationControl();
        io.vshard.migrate.Migrator idle = budgetedMigrator(control);
        control.start();
        await(() -> control.status().state().equals("COMPLETE"), control);
        assertThat(idle.yieldedMillis()).isZero();
        assertThat(control.status().checksFailed()).isZero();
        router.refresh();
        assertThat(paymentTotals()).containsExactly(before);
        control.stopMigrator();
    }

    /**
     * A router whose heartbeats stop reaching the control store (its row locked behind its back) may be counted
     * gone by the migrator, which then no longer waits for its acknowledgement of a fence. Its view stays fresh (a
     * write refreshes it), so only the heartbeat says whether the migrator still waits for it: its migrating
     * writes (and the commit of a transaction that made one) fail with 40001 while the heartbeats lapse, and go on
     * once they reach the store again, each landing once.
     */
    @Test
    void aRouterWhoseHeartbeatsLapseStopsItsMigratingWrites() throws Exception {
        loadedAtTheBoundary();
        router.migrationControl().start();
        Creator k = fleet.dataset.creator(0);
        long lease = router.options().lease().toMillis();
        try (Connection ctl = java.sql.DriverManager.getConnection(
                        MigrationFleet.PG + fleet.prefix + "_ctl", "postgres", "");
                Connection c = fleet.vshard(0);
                Connection tx = fleet.vshard(0)) {
            insertPayment(c, 900_000_001L, k);
            // A transaction that wrote before the lapse and commits during it fails too, and leaves nothing.
            tx.setAutoCommit(false);
            insertPayment(tx, 900_000_003L, k);
            ctl.setAutoCommit(false);
            try (PreparedStatement ps =
                    ctl.prepareStatement("SELECT 1 FROM vshard_router WHERE router_id = ? FOR UPDATE")) {
                ps.setString(1, router.routerId());
                ps.executeQuery().close();
            }
            Thread.sleep(lease * 2);
            assertThatThrownBy(() -> insertPayment(c, 900_000_002L, k))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("no heartbeat of this router reached the control store")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("40001");
            assertThatThrownBy(tx::commit)
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("no heartbeat of this router reached the control store");
            ctl.commit();
            long deadline = System.nanoTime() + lease * 10 * 1_000_000L;
            while (true) {
                try {
                    insertPayment(c, 900_000_002L, k);
                    break;
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).isEqualTo("40001");
                    assertThat(System.nanoTime())
                            .as("a write goes through once heartbeats do")
                            .isLessThan(deadline);
                    Thread.sleep(20);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM payments WHERE creator_id = ? AND payment_id > 900000000")) {
                ps.setLong(1, k.id());
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(2);
                }
            }
        }
    }

    private void insertPayment(Connection c, long id, Creator k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO payments (payment_id, creator_id, region, tenant_id,"
                        + " window_id, event_id, amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, 1.00, 'USD', ?)")) {
            ps.setLong(1, id);
            ps.setLong(2, k.id());
            ps.setString(3, k.region());
            ps.setLong(4, k.id());
            ps.setString(5, WindowId.containing(fleet.clock.instant()).toString());
            ps.setLong(6, id);
            ps.setTimestamp(7, MigrationFleet.ts(fleet.clock.instant()));
            ps.executeUpdate();
        }
    }

    /** A migrator whose budget every measured p95 exceeds (a hundredth of the p95 before it began). */
    private static io.vshard.migrate.Migrator budgetedMigrator(MigrationControl control) {
        String property = io.vshard.migrate.Migrator.P95_BUDGET_PROPERTY;
        System.setProperty(property, "0.01");
        try {
            return control.startMigrator(MigrationListener.NONE);
        } finally {
            System.clearProperty(property);
        }
    }

    /**
     * v2 published, the dataset loaded under v1, the clock in the boundary window; returns the payments' totals
     * read through vshard before anything moved.
     */
    private long[] loadedAtTheBoundary() throws Exception {
        publish(fleet.v2);
        fleet.createTables();
        fleet.load();
        long[] before = paymentTotals();
        fleet.moveClockTo(MigrationFleet.AT_BOUNDARY);
        return before;
    }

    /** The payments' count and the sum of their amounts in cents, read through vshard. */
    private long[] paymentTotals() throws SQLException {
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(amount) FROM payments")) {
            assertThat(rs.next()).isTrue();
            return new long[] {
                rs.getLong(1), rs.getBigDecimal(2).movePointRight(2).longValueExact()
            };
        }
    }

    /** Changes the amount of one copied payment of the cohort on its new shard, behind vshard's back. */
    private String alterOneMovedRow(Cohort k) {
        RoutingState base = router.routingState();
        RoutingState after = new RoutingState(
                base.active(), base.next(), base.cohorts().with(k.id(), CohortState.NEW), base.ledgerOnNext());
        ShardLocation old = base.active().locate(k.oldShard());
        try (Connection c = fleet.direct(old.dataSource());
                PreparedStatement ps = c.prepareStatement("SELECT payment_id, creator_id, region, window_id FROM "
                        + old.schema() + ".payments WHERE creator_id BETWEEN ? AND ? ORDER BY payment_id")) {
            ps.setLong(1, k.firstCreator());
            ps.setLong(2, k.lastCreator());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ShardLocation target = fleet.place(
                            after, "payments", rs.getLong(2), rs.getString(3), WindowId.parse(rs.getString(4)));
                    if (target.equals(old)) {
                        continue;
                    }
                    try (Connection t = fleet.direct(target.dataSource());
                            PreparedStatement u = t.prepareStatement("UPDATE " + target.schema()
                                    + ".payments SET amount = amount + 0.01 WHERE payment_id = ?")) {
                        u.setLong(1, rs.getLong(1));
                        if (u.executeUpdate() == 1) {
                            return target + " payment " + rs.getLong(1);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static MigrationStatus await(Check check, MigrationControl control) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; status " + control.status());
            }
            Thread.sleep(100);
        }
        return control.status();
    }
}
