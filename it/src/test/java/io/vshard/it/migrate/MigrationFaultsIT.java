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
import io.vshard.manifest.placement.RoutingState;
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
        publish(fleet.v2);
        fleet.createTables();
        fleet.load();
        fleet.moveClockTo(MigrationFleet.AT_BOUNDARY);
        MigrationControl control = router.migrationControl();
        control.start();
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
     * Small cohorts move in groups copied in one pass (up to the manifest's cohort size in rows); a digest
     * mismatch in the group's second cohort rolls back that cohort alone: the one flipped before it stays NEW,
     * the ones after it go back to COPYING, and a resumed migration moves them all and completes with every
     * row as it was.
     */
    @Test
    void digestMismatchInAGroupRollsBackThatCohortAlone() throws Exception {
        publish(fleet.v2);
        fleet.createTables();
        fleet.load();
        long[] before = paymentTotals();
        fleet.moveClockTo(MigrationFleet.AT_BOUNDARY);
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
