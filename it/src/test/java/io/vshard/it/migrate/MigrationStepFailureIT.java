package io.vshard.it.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.control.CohortRecord;
import io.vshard.engine.Engine;
import io.vshard.engine.Journal;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import io.vshard.migrate.MigrationControl;
import io.vshard.migrate.MigrationListener;
import io.vshard.migrate.MigrationStatus;
import io.vshard.migrate.Migrator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration step that fails the same way every time (a CHECK constraint added on one target shard's table
 * behind vshard's back) pauses the migration with the cohort, step, SQLSTATE and message in its status instead
 * of being retried forever; while paused, writes keep flowing and the journal keeps recording; once the
 * constraint is dropped, RESUME MIGRATION completes it with every digest equal and no write lost.
 */
class MigrationStepFailureIT {
    private static final String CONSTRAINT = "vshard_it_refuse_copies";

    @TempDir
    Path dir;

    MigrationFleet fleet;
    Engine router;

    @BeforeEach
    void start() throws Exception {
        fleet = new MigrationFleet(
                dir,
                new MigrationStrategy(2_000, 200, 500),
                new RollbackTriggers(RollbackTriggers.Action.PAUSE, 0, 0, RollbackTriggers.Action.PAUSE),
                new ScenarioDataset(13, 400, 4_000, WindowId.parse("2027_W01"), 8));
        router = fleet.router();
        fleet.createTables();
    }

    @AfterEach
    void stop() throws Exception {
        fleet.close();
    }

    @Test
    void aDeterministicFailurePausesWithItsErrorAndResumeCompletesAfterTheFix() throws Exception {
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement()) {
            st.execute("PUBLISH MANIFEST '" + fleet.v2.toAbsolutePath() + "'");
        }
        fleet.createTables();
        fleet.load();
        fleet.moveClockTo(MigrationFleet.AT_BOUNDARY);
        MigrationControl control = router.migrationControl();
        control.start();
        Cohort test = null;
        for (CohortRecord c : control.cohorts(null)) {
            test = c.cohort().test() ? c.cohort() : test;
        }
        assertThat(test).as("the plan's test cohort").isNotNull();
        ShardLocation refusing = refuseCopiesOfCreators(test);
        ShardLocation old = router.routingState().active().locate(test.oldShard());

        Writers writers = new Writers();
        for (Creator cr : fleet.dataset.creators()) {
            writers.creators.add(cr);
            if (cr.id() >= test.firstCreator()
                    && cr.id() <= test.lastCreator()
                    && fleet.place(router.routingState(), "creators", cr.id(), cr.region(), null)
                            .equals(old)) {
                writers.hot.add(cr);
            }
        }
        assertThat(writers.hot).as("creators of the test cohort").isNotEmpty();
        writers.start();
        MigrationStatus paused;
        System.setProperty(Migrator.PAUSE_AFTER_PROPERTY, "3");
        try {
            control.startMigrator(MigrationListener.NONE);
            paused = MigrationFaultsIT.await(() -> control.status().state().equals("PAUSED"), control);
        } finally {
            System.clearProperty(Migrator.PAUSE_AFTER_PROPERTY);
        }
        assertThat(paused.lastError())
                .startsWith("paused after the same failure 3 times in a row: cohort " + test.id() + ", step copy,"
                        + " SQLSTATE 23514: ")
                .contains(CONSTRAINT)
                .contains("RESUME MIGRATION (./vshard migrate resume)")
                .contains("ROLLBACK MIGRATION (./vshard migrate rollback)");
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW MIGRATION STATUS")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("state")).isEqualTo("PAUSED");
            assertThat(rs.getString("last_error")).isEqualTo(paused.lastError());
        }
        // The paused cohort stays COPYING (never left fenced): its writes go on at the old place, journaled.
        for (CohortRecord c : control.cohorts(null)) {
            assertThat(c.state()).as("cohort %d", c.cohort().id()).isNotEqualTo(CohortState.FENCED);
            if (c.cohort().id() == test.id()) {
                assertThat(c.state()).isEqualTo(CohortState.COPYING);
            }
            assertThat(c.state())
                    .as("nothing moved past the test cohort")
                    .isIn(CohortState.PLANNED, CohortState.COPYING);
        }
        long writesAtPause = writers.acknowledged();
        long journalAtPause = journalRows(old);
        Thread.sleep(1_500);
        assertThat(control.status().state()).as("still paused").isEqualTo("PAUSED");
        assertThat(writers.acknowledged())
                .as("writes acknowledged while paused")
                .isGreaterThan(writesAtPause + 10);
        assertThat(journalRows(old))
                .as("journal rows at the paused cohort's old shard")
                .isGreaterThan(journalAtPause);

        try (Connection c = fleet.direct(refusing.dataSource());
                Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + refusing.schema() + ".creators DROP CONSTRAINT " + CONSTRAINT);
        }
        try (Connection c = fleet.vshard(0);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("RESUME MIGRATION")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("state")).isEqualTo("RUNNING");
            assertThat(rs.getString("last_error")).as("resume clears the error").isNull();
        }
        MigrationStatus done =
                MigrationFaultsIT.await(() -> control.status().state().equals("COMPLETE"), control);
        writers.stop();
        control.stopMigrator();
        assertThat(writers.unexpected).as("writes refused other than retryably").isEmpty();
        int cohorts = control.cohorts(null).size();
        assertThat(done.cohortsByState().get("NEW")).isEqualTo(cohorts);
        assertThat(done.checksFailed()).as("digest checks failed").isZero();
        assertThat(done.checksPassed()).as("digest checks passed").isGreaterThanOrEqualTo(cohorts);
        assertThat(done.lastError()).isNull();
        int lost = 0;
        int checked = 0;
        router.refresh();
        RoutingState now = router.routingState();
        for (Creator cr : fleet.dataset.creators()) {
            ShardLocation at = fleet.place(now, "balances", cr.id(), cr.region(), null);
            try (Connection c = fleet.direct(at.dataSource());
                    PreparedStatement ps = c.prepareStatement("SELECT updates, (SELECT COUNT(*) FROM " + at.schema()
                            + ".creators WHERE creator_id = ?) FROM " + at.schema()
                            + ".balances WHERE creator_id = ?")) {
                ps.setLong(1, cr.id());
                ps.setLong(2, cr.id());
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next())
                            .as("balance of creator %d at %s", cr.id(), at)
                            .isTrue();
                    long want = writers.acked
                            .getOrDefault(cr.id(), new AtomicLong())
                            .get();
                    lost += rs.getLong(1) == want ? 0 : 1;
                    assertThat(rs.getLong(1))
                            .as("updates of creator %d at %s", cr.id(), at)
                            .isEqualTo(want);
                    assertThat(rs.getLong(2))
                            .as("creator %d at %s", cr.id(), at)
                            .isEqualTo(1);
                    checked++;
                }
            }
        }
        System.out.printf(
                "step failure: %s; %d writes acknowledged (%d from the pause on), %d creators checked,"
                        + " %d lost, digest checks %d passed%n",
                paused.lastError(),
                writers.acknowledged(),
                writers.acknowledged() - writesAtPause,
                checked,
                lost,
                done.checksPassed());
    }

    /**
     * Adds a CHECK constraint no row satisfies to the creators table of one place the test cohort's creators
     * move to (NOT VALID: rows already there stay); returns that place.
     */
    private ShardLocation refuseCopiesOfCreators(Cohort k) throws SQLException {
        RoutingState base = router.routingState();
        RoutingState after = new RoutingState(
                base.active(), base.next(), base.cohorts().with(k.id(), CohortState.NEW), base.ledgerOnNext());
        ShardLocation old = base.active().locate(k.oldShard());
        try (Connection c = fleet.direct(old.dataSource());
                PreparedStatement ps = c.prepareStatement("SELECT creator_id, region FROM " + old.schema()
                        + ".creators WHERE creator_id BETWEEN ? AND ? ORDER BY creator_id")) {
            ps.setLong(1, k.firstCreator());
            ps.setLong(2, k.lastCreator());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ShardLocation target = fleet.place(after, "creators", rs.getLong(1), rs.getString(2), null);
                    if (target.equals(old)) {
                        continue;
                    }
                    try (Connection t = fleet.direct(target.dataSource());
                            Statement st = t.createStatement()) {
                        st.execute("ALTER TABLE " + target.schema() + ".creators ADD CONSTRAINT " + CONSTRAINT
                                + " CHECK (creator_id < 0) NOT VALID");
                    }
                    return target;
                }
            }
        }
        throw new IllegalStateException("no creator of cohort " + k.id() + " moves to another place");
    }

    private long journalRows(ShardLocation at) throws SQLException {
        try (Connection c = fleet.direct(at.dataSource());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + at.schema() + "." + Journal.TABLE)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Two threads updating balances through vshard, half of them on the test cohort's creators,
     * retrying retryable refusals (40001: held or stale); counts each acknowledged update per creator.
     */
    private final class Writers {
        final Map<Long, AtomicLong> acked = new ConcurrentHashMap<>();
        final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        final List<Creator> creators = new ArrayList<>();
        final List<Creator> hot = new ArrayList<>();

        void start() {
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(this::write, "step-failure-writer-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        void write() {
            try (Connection c = fleet.vshard(0);
                    PreparedStatement ps = c.prepareStatement("UPDATE balances SET balance = balance + 1,"
                            + " updates = updates + 1 WHERE creator_id = ? AND region = ?")) {
                while (running.get()) {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    List<Creator> from = r.nextBoolean() ? hot : creators;
                    Creator cr = from.get(r.nextInt(from.size()));
                    ps.setLong(1, cr.id());
                    ps.setString(2, cr.region());
                    try {
                        if (ps.executeUpdate() != 1) {
                            unexpected.add("creator " + cr.id() + ": no row updated");
                        } else {
                            acked.computeIfAbsent(cr.id(), k -> new AtomicLong())
                                    .incrementAndGet();
                        }
                    } catch (SQLException e) {
                        if (e.getSQLState() == null || !e.getSQLState().startsWith("40")) {
                            unexpected.add(e.getSQLState() + " " + e.getMessage());
                        }
                    }
                    Thread.sleep(2);
                }
            } catch (SQLException | InterruptedException e) {
                unexpected.add("writer ended: " + e);
            }
        }

        long acknowledged() {
            long n = 0;
            for (AtomicLong a : acked.values()) {
                n += a.get();
            }
            return n;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }
}
