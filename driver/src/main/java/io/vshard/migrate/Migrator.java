package io.vshard.migrate;

import io.vshard.control.CohortRecord;
import io.vshard.control.ControlStore;
import io.vshard.control.MigrationRecord;
import io.vshard.control.MigrationStore;
import io.vshard.control.RouterView;
import io.vshard.engine.Engine;
import io.vshard.engine.LiveLatency;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background migrator: one thread that holds the migrator lease in the control store and moves cohorts
 * (several at once on worker threads, see {@link CohortWorkers}) while the migration is RUNNING, moves them back while it is ROLLING_BACK, and drains the old layout once
 * the manifest's clean windows have passed. Two migrators never run at once; when the lease holder dies its
 * lease expires and another migrator resumes from the states and marks the control store records.
 *
 * <p>Threading: {@link #start()} runs the loop on its own daemon thread; {@link #kill()} simulates a crash
 * (no clean-up, the lease stays until it expires); {@link #close()} stops cleanly and gives the lease up.
 */
public final class Migrator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
    private static final long MIN_LEASE_MS = 5_000;
    private final Engine engine;
    private final MigrationStore store;
    private final ShardLinks links;
    private final CohortMove move;
    private final ShardIndexes indexes;
    private final CohortWorkers workers;
    private final ParallelSources parallel;
    private final ParallelSources indexBuilds;
    private final String id = "migrator-" + UUID.randomUUID();
    private volatile boolean stopped;
    private volatile boolean killed;
    private Thread thread;
    private final FailureStreaks streaks = new FailureStreaks();
    private final int pauseAfter = Math.max(1, Integer.getInteger(PAUSE_AFTER_PROPERTY, DEFAULT_PAUSE_AFTER));
    private int healthStrikes;
    private boolean crowded;

    /**
     * How many cohorts a migrator moves at once unless told otherwise: the system property
     * {@code vshard.migrator.workers}, else {@value #DEFAULT_WORKERS}. More than one only while the routers report no
     * crowded shard and, with application statements beside it (see {@link LatencyBudget#watching}), only while
     * their p95 stays well under the latency budget ({@link LatencyBudget#lanes}): three side by side regardless
     * took the point-query p95 to 3.9-4.4x its value before (the rest of one worker does not leave the cores to
     * the application while the others copy). Idle,
     * three moved the benchmark's rows at 0.38-0.47 of a raw COPY pipe's rate against 0.31 for one (BENCHMARKS.md,
     * session 12). Session 12 went back to one after the MySQL demo lost a write with three; session 13 found the
     * cause, MySQL's journal marks read without a lock (JournalMarks), which more moves at once only made likelier.
     */
    public static final String WORKERS_PROPERTY = "vshard.migrator.workers";

    static final int DEFAULT_WORKERS = 3;

    /**
     * How many times in a row a step may fail the same way (same cohort, step and SQLSTATE; not a transient
     * failure such as a lost connection, a serialization failure, a deadlock or a lease timeout) before the
     * migrator pauses the migration with that failure in its status: the system property
     * {@code vshard.migrator.pauseAfter}, else {@value #DEFAULT_PAUSE_AFTER}. With the backoff between attempts
     * (0.3, 0.6, 1.2, 2.4 s) the default pauses about 5 s after the first failure.
     */
    public static final String PAUSE_AFTER_PROPERTY = "vshard.migrator.pauseAfter";

    static final int DEFAULT_PAUSE_AFTER = 5;

    private static final long FIRST_BACKOFF_MILLIS = 300;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /**
     * At most how many cohorts one move takes together: the system property {@code vshard.migrator.fenceGroup},
     * else {@value #DEFAULT_FENCE_GROUP}. A group also holds at most the manifest's cohort size in planned rows,
     * so only cohorts smaller than it (old shards holding fewer rows than the target) move together. Fresh
     * cohorts of a group are copied, caught up and digested in one pass, fenced under one epoch (one wait for
     * the routers' acknowledgements) and their final deltas taken in one pass before each flips on its own:
     * the round trips, COPY statements and control-store records of a pass are paid once per group. Eight by
     * default: on the benchmark's 65 cohorts (55 of them small) groups took 21-28% less CPU per row than one
     * cohort at a time, flip pause p99 under 120 ms (BENCHMARKS.md, session 10); a larger cap saves little more
     * and lets the share of cohorts on the new version jump further at each flip.
     */
    public static final String FENCE_GROUP_PROPERTY = "vshard.migrator.fenceGroup";

    static final int DEFAULT_FENCE_GROUP = 8;

    /**
     * How long a move rests after each batch it copies or digests before its fence, as a fraction of the time
     * the batch took: the system property {@code vshard.migrator.pace}, else 0 (no rest). Resting leaves the
     * cores to live traffic between the migrator's bursts at the cost of copy rate; nothing rests under a
     * fence, so the write pause of a flip does not grow.
     */
    public static final String PACE_PROPERTY = "vshard.migrator.pace";

    /**
     * The longest rest after one batch: long enough that the latency budget can rest a move of large batches its
     * most, short enough that a pause or a stop is noticed within half a second.
     */
    private static final long MAX_REST_NANOS = 500_000_000L;

    /** The longest rest after a batch between a cohort's last catch-up and its fence (see {@link #paceBeforeFence}). */
    private static final long MAX_REST_BEFORE_FENCE_NANOS = 100_000_000L;

    private final double pace = Math.max(0, Double.parseDouble(System.getProperty(PACE_PROPERTY, "0")));

    /**
     * How far the application's statement p95 through this migrator's router may rise over its value before the
     * migrator began, as a factor: the system property {@code vshard.migrator.p95Budget}, else
     * {@value #DEFAULT_P95_BUDGET}; 0 turns it off. Past it the migrator rests between batches, longer while the
     * p95 stays over (see {@link LatencyBudget}); with no traffic beside it, it never rests. Why: on 2 cores a
     * migrator at full speed took the point-query p95 to 2.1-2.8x its value before, and a fixed pace of 4 to
     * 1.4-1.5x at the cost of migrations 1.6-1.9x longer even on an idle fleet; a budget of 1.3 gave 1.47-1.51x
     * (BENCHMARKS.md, session 12). Session 12 turned it off after an audit lost a write with it on; session 13
     * found the race, a router counted gone by its late heartbeat committing a write planned before a fence
     * (Engine#lapse), which the budget's longer migrations under writers only made likelier.
     */
    public static final String P95_BUDGET_PROPERTY = "vshard.migrator.p95Budget";

    static final double DEFAULT_P95_BUDGET = 1.3;

    /** No batch for this long, and the next one re-measures the baseline first. */
    private static final long IDLE_NANOS = 5_000_000_000L;

    private final LatencyBudget budget = new LatencyBudget(
            Double.parseDouble(System.getProperty(P95_BUDGET_PROPERTY, String.valueOf(DEFAULT_P95_BUDGET))), 2);
    private final java.util.concurrent.atomic.AtomicLong lastPaceNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile long startedNanos = System.nanoTime();
    private final java.util.concurrent.atomic.LongAdder yieldedNanos = new java.util.concurrent.atomic.LongAdder();

    // Per worker thread: when its current batch started.
    private final ThreadLocal<long[]> batchStarted = ThreadLocal.withInitial(() -> new long[] {System.nanoTime()});

    /**
     * A migrator working through {@code engine}'s configuration and control store, moving up to
     * {@link #WORKERS_PROPERTY} cohorts at once.
     */
    public Migrator(Engine engine, MigrationListener listener) {
        this(engine, listener, Integer.getInteger(WORKERS_PROPERTY, DEFAULT_WORKERS));
    }

    /** A migrator that moves up to {@code workers} cohorts (on distinct old shards) at once. */
    public Migrator(Engine engine, MigrationListener listener, int workers) {
        this.engine = engine;
        this.parallel = new ParallelSources();
        this.store = new MigrationStore(engine.controlStore());
        this.links = new ShardLinks(engine.config());
        this.move = new CohortMove(this, engine, store, links, listener);
        // Index builds side by side whatever ParallelSources says: CREATE INDEX CONCURRENTLY mostly waits for
        // other transactions' snapshots, not for a core, and 128 of them one database at a time took 1.6 s.
        this.indexBuilds = new ParallelSources(true);
        this.indexes = new ShardIndexes(links, engine.config(), CohortMove.shardedTables(engine), indexBuilds);
        this.workers = new CohortWorkers(
                this, engine, store, listener, workers, Integer.getInteger(FENCE_GROUP_PROPERTY, DEFAULT_FENCE_GROUP));
    }

    /** This migrator's lease holder id. */
    public String id() {
        return id;
    }

    /** Starts the loop on a daemon thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        startedNanos = System.nanoTime();
        thread = new Thread(this::loop, "vshard-migrator");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the loop thread runs. */
    public boolean alive() {
        return thread != null && thread.isAlive();
    }

    private void loop() {
        Duration ttl = leaseTtl();
        while (!stopped) {
            try {
                if (!store.acquireLease(id, ttl)) {
                    sleep(ttl.toMillis() / 3);
                    continue;
                }
                if (!step()) {
                    sleep(100);
                }
            } catch (SQLException | RuntimeException e) {
                if (stopped) {
                    break;
                }
                links.reset();
                sleep(failed(e));
            }
        }
        workers.close();
        if (!killed) {
            try {
                store.releaseLease(id);
            } catch (SQLException e) {
                LOG.warn("vshard migrator {}: could not release the lease: {}", id, e.getMessage());
            }
        }
        links.close();
        parallel.close();
        indexBuilds.close();
    }

    /**
     * Records a failed step in the control store and decides what follows: a transient failure (a lost
     * connection, a serialization failure or deadlock, a lease or timeout) is retried with a growing backoff; a
     * step failing the same way (same cohort, step and SQLSTATE) {@link #PAUSE_AFTER_PROPERTY} times in a row
     * pauses the migration with the failure and what to do in its status, since retrying cannot help until
     * someone fixes the cause.
     *
     * @return how long to wait before the next step, in milliseconds
     */
    private long failed(Exception e) {
        StepFailure f = StepFailure.of(e, move.cohortAt(), move.stepAt());
        int times = streaks.record(f);
        long backoff = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(8, times - 1));
        try {
            MigrationRecord m = store.view().migration();
            if (m != null
                    && !f.transientFailure()
                    && times >= pauseAfter
                    && m.state().equals(MigrationRecord.RUNNING)) {
                String why = clip(f.paused(times));
                store.setMigrationState(m.toVersion(), MigrationRecord.PAUSED, why);
                streaks.clear();
                LOG.error("vshard migrator {}: {}", id, why);
                return FIRST_BACKOFF_MILLIS;
            }
            if (m != null) {
                store.setMigrationError(m.toVersion(), clip(f.retrying(times, backoff)));
            }
        } catch (SQLException ignored) {
            // The control store is unreachable too; the next step retries.
        }
        LOG.warn("vshard migrator {}: {}", id, f.retrying(times, backoff));
        return backoff;
    }

    /**
     * Puts back to COPYING the cohorts a paused migration left FENCED (a move that failed or stopped under its
     * fence), once no move runs: their writes would otherwise wait until someone resumes. Safe as after a fence
     * the routers did not acknowledge in time: writes go to the old side again and land in the journal, and the
     * next move catches up from the recorded marks and digests the whole cohort before it fences again.
     */
    private boolean unfencePaused(int to, List<CohortRecord> cohorts) throws SQLException {
        boolean any = false;
        for (CohortRecord c : cohorts) {
            if (c.state() == CohortState.FENCED) {
                store.setCohortState(to, c.cohort().id(), CohortState.COPYING);
                LOG.info(
                        "vshard migrator {}: cohort {} unfenced while the migration is paused",
                        id,
                        c.cohort().id());
                any = true;
            }
        }
        return any;
    }

    /**
     * Does one unit of work: one cohort step, a ledger move, or a drain.
     *
     * @return whether there was work
     */
    boolean step() throws SQLException {
        move.at(0, "control store");
        int finished = workers.reap(streaks::cleared);
        RouterView v = store.view();
        MigrationRecord m = v.migration();
        if (m != null && workers.busy() && !m.state().equals(MigrationRecord.RUNNING)) {
            // The moves notice at their next batch; nothing else acts until they ended.
            workers.awaitAny(100);
            return true;
        }
        if (m == null) {
            return finishDrain(v);
        }
        RoutingState base = v.routing();
        List<CohortRecord> cohorts = store.cohorts(m.toVersion());
        if (m.state().equals(MigrationRecord.RUNNING) || m.state().equals(MigrationRecord.ROLLING_BACK)) {
            indexes.ensure(base);
        }
        switch (m.state()) {
            case MigrationRecord.RUNNING -> {
                // Health is judged once per cohort move (as when moves ran one at a time), not once per poll.
                if ((finished > 0 || !workers.busy()) && healthTripped(base, m)) {
                    return true;
                }
                boolean cutOver = ledgerCutOverDue(base, m);
                if (cutOver && workers.busy()) {
                    workers.awaitAny(100);
                    return true;
                }
                if (cutOver) {
                    move.ledger(base, m, true);
                    streaks.cleared(0);
                    return true;
                }
                if (workers.fill(base, cohorts, lanes())) {
                    workers.awaitAny(100);
                    return true;
                }
                store.setMigrationState(m.toVersion(), MigrationRecord.COMPLETE, null);
                return true;
            }
            case MigrationRecord.ROLLING_BACK -> {
                for (CohortRecord c : cohorts) {
                    if (c.state() == CohortState.COPYING || c.state() == CohortState.FENCED) {
                        store.setCohortState(m.toVersion(), c.cohort().id(), CohortState.PLANNED);
                        return true;
                    }
                }
                for (int i = cohorts.size() - 1; i >= 0; i--) {
                    CohortRecord c = cohorts.get(i);
                    if (c.state().servedByNew()) {
                        move.back(base, c);
                        streaks.cleared(c.cohort().id());
                        return true;
                    }
                }
                if (m.ledgerOnNext()) {
                    move.ledger(base, m, false);
                    return true;
                }
                store.setMigrationState(m.toVersion(), MigrationRecord.ROLLED_BACK, null);
                return true;
            }
            case MigrationRecord.COMPLETE -> {
                return drainIfDue(base, m);
            }
            case MigrationRecord.PAUSED -> {
                // A pause (ordered or the migrator's own) ends every streak: a resume retries afresh.
                streaks.clear();
                if (unfencePaused(m.toVersion(), cohorts)) {
                    return true;
                }
                // A pause holds the cohorts, not the manifest's schedule: the effective window's ledger rows go
                // to the new version when it begins, paused or not (a move of the rows of that window alone).
                if (ledgerCutOverDue(base, m) && !workers.busy()) {
                    move.ledger(base, m, true);
                    return true;
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Whether the ledger cutover (rows of the effective window and later live under the new version) is due:
     * not done yet, and the effective window has begun. Before it no such row is written in the normal course,
     * so cutting over earlier would only make every read of a creator not yet moved look in two places.
     */
    private boolean ledgerCutOverDue(RoutingState base, MigrationRecord m) {
        WindowId effective = base.next().effectiveWindow();
        return !m.ledgerOnNext()
                && (effective == null || !engine.clock().instant().isBefore(effective.start()));
    }

    private boolean drainIfDue(RoutingState base, MigrationRecord m) throws SQLException {
        int clean = base.next().verification().cleanWindowsBeforeDrain();
        if (m.completedAt() == null
                || !drainDue(m.completedAt(), clean, engine.clock().instant())) {
            return false;
        }
        store.retire(m.fromVersion(), m.toVersion());
        return true;
    }

    /**
     * Deletes the old copies once the new version is active (the migration is DRAINING), then marks it
     * DRAINED. Runs again from the start after a crash: deleting a misplaced copy is idempotent.
     */
    private boolean finishDrain(RouterView v) throws SQLException {
        Manifest active = v.routing().active();
        MigrationRecord d = store.migration(active.version());
        if (d == null || !d.state().equals(MigrationRecord.DRAINING)) {
            return false;
        }
        Manifest from = null;
        for (ControlStore.StoredManifest s : engine.controlStore().manifests()) {
            if (s.version() == d.fromVersion()) {
                from = s.manifest();
            }
        }
        if (from == null) {
            throw new SQLException("the control store lost manifest v" + d.fromVersion() + " while draining", "XX000");
        }
        // Every router must route by the new version alone before an old copy may go.
        if (!awaitAcks(v.epoch())) {
            return true;
        }
        long deleted = move.drainOldCopies(RoutingState.stable(from), RoutingState.stable(active));
        store.setMigrationState(d.toVersion(), MigrationRecord.DRAINED, null);
        LOG.info("vshard migrator {}: drained v{}: {} old copies deleted", id, d.fromVersion(), deleted);
        return true;
    }

    /**
     * Whether the old layout may be drained: {@code cleanWindows} whole windows passed since the window in
     * which the migration completed. Both instants are fleet time (the injected clock), never store time plus
     * today's offset, which would move the due window along with every clock jump.
     */
    static boolean drainDue(Instant completedFleetTime, int cleanWindows, Instant now) {
        WindowId due = WindowId.containing(completedFleetTime).plusWeeks(cleanWindows);
        return WindowId.containing(now).compareTo(due) >= 0;
    }

    private boolean healthTripped(RoutingState base, MigrationRecord m) throws SQLException {
        RollbackTriggers t = base.next().rollbackTriggers();
        if (t.shardP95LatencyMillis() <= 0 && t.errorRate() <= 0) {
            return false;
        }
        String why = null;
        boolean slow = false;
        for (ControlStore.Router r :
                engine.controlStore().liveRouters(engine.options().lease())) {
            slow |= r.health().crowds(t);
            String breach = r.health().breach(t);
            if (breach != null) {
                why = "router " + r.id() + " " + breach;
            }
        }
        // Past half the trigger, one cohort moves at a time, leaving the shards to the application.
        crowded = slow;
        healthStrikes = why == null ? 0 : healthStrikes + 1;
        if (healthStrikes < 3) {
            return false;
        }
        healthStrikes = 0;
        boolean rollback = t.onHealthFailure() == RollbackTriggers.Action.ROLLBACK;
        store.setMigrationState(
                m.toVersion(),
                rollback ? MigrationRecord.ROLLING_BACK : MigrationRecord.PAUSED,
                "health trigger: " + why);
        return true;
    }

    /**
     * How long the migrator lease lasts without renewal: ten router leases and at least {@value #MIN_LEASE_MS}
     * ms. It is renewed before every batch, so it must outlast the longest step between renewals (one
     * batch copied or digested on a loaded machine); a lease as short as a router's let a second migrator take
     * over while the first was still writing.
     */
    Duration leaseTtl() {
        Duration ten = engine.options().lease().multipliedBy(10);
        return ten.toMillis() < MIN_LEASE_MS ? Duration.ofMillis(MIN_LEASE_MS) : ten;
    }

    /** Renews the migrator lease; throws 55000 when another migrator holds it now. */
    void keepLease() throws SQLException {
        if (!store.acquireLease(id, leaseTtl())) {
            throw new java.sql.SQLTransientException("migrator " + id + " lost its lease", "55000");
        }
    }

    /**
     * Whether the migration to {@code to} is still in {@code state} and this migrator should go on. Asked
     * before every batch by every worker; the answer "yes" is reused for {@value #RECHECK_MILLIS} ms (it
     * renews the lease, which lasts at least {@value #MIN_LEASE_MS} ms), so a pause or rollback is noticed
     * that much later at most, and the control store sees two queries per interval instead of per batch.
     */
    boolean running(int to, String state) throws SQLException {
        if (stopped) {
            return false;
        }
        long now = System.nanoTime();
        Check last = lastCheck;
        if (last != null
                && last.to() == to
                && last.state().equals(state)
                && now - last.at() < RECHECK_MILLIS * 1_000_000L) {
            return true;
        }
        if (!store.acquireLease(id, leaseTtl())) {
            throw new java.sql.SQLTransientException("migrator " + id + " lost its lease", "55000");
        }
        MigrationRecord m = store.migration(to);
        boolean yes = m != null && m.state().equals(state);
        lastCheck = yes ? new Check(to, state, now) : null;
        return yes;
    }

    private static final long RECHECK_MILLIS = 200;
    private static final long FENCE_YIELD_MILLIS = 1_000;
    private final java.util.concurrent.atomic.AtomicInteger fences = new java.util.concurrent.atomic.AtomicInteger();

    /** A move entered its fence: the other moves hold back their batches until it leaves. */
    void enterFence() {
        fences.incrementAndGet();
    }

    void leaveFence() {
        fences.decrementAndGet();
    }

    /**
     * Waits (at most {@value #FENCE_YIELD_MILLIS} ms, so overlapping fences cannot starve a copy) while another
     * move holds a fence; called before each batch of a move that holds none.
     */
    void awaitFences() {
        long deadline = System.nanoTime() + FENCE_YIELD_MILLIS * 1_000_000L;
        while (fences.get() > 0 && !stopped && System.nanoTime() < deadline) {
            sleep(2);
        }
    }

    /**
     * Called between batches outside a fence: rests as many times as long as the batch since the last call took
     * as {@link #PACE_PROPERTY} says, or as the {@link LatencyBudget} says if that is more (at most
     * {@value #MAX_REST_NANOS} ns), then starts timing the next.
     */
    void pace() {
        pace(MAX_REST_NANOS);
    }

    /**
     * As {@link #pace()}, resting at most {@value #MAX_REST_BEFORE_FENCE_NANOS} ns: for the digest batches that
     * follow a cohort's last catch-up, since every write while they run is left to the final delta under the
     * fence, and long rests there lengthened the flip's write pause (p99 160-214 ms against 67-92 ms, session 14).
     */
    void paceBeforeFence() {
        pace(MAX_REST_BEFORE_FENCE_NANOS);
    }

    private void pace(long maxRestNanos) {
        long[] started = batchStarted.get();
        long now = System.nanoTime();
        long last = lastPaceNanos.getAndSet(now);
        if (last == 0 || now - last > IDLE_NANOS) {
            takeBaseline(last, now);
        }
        int settledBefore = budget.settled();
        double yielding = budget.rest(lastWindows(), now);
        if (budget.settled() > settledBefore) {
            LOG.info(
                    "vshard migrator {}: this router's p95 stayed over budget for {} windows while the migrator rested"
                            + " its most, so it is not the migrator's doing; the p95 of those windows is the baseline"
                            + " from now on",
                    id,
                    LatencyBudget.SETTLE_WINDOWS);
        }
        double factor = Math.max(pace, yielding);
        if (factor > 0) {
            long rest = Math.min(maxRestNanos, (long) ((now - started[0]) * factor));
            if (rest >= 1_000_000L && !stopped) {
                sleep(rest / 1_000_000L);
                if (yielding > pace) {
                    yieldedNanos.add(rest);
                }
            }
        }
        started[0] = System.nanoTime();
    }

    /**
     * Moving again after a while without batches ({@code lastPace} then) or for the first time ({@code lastPace}
     * 0): the p95 of the statements of that while, or of the seconds before the migrator started, is what the
     * budget keeps to.
     */
    private void takeBaseline(long lastPace, long now) {
        long from = lastPace == 0 ? startedNanos - IDLE_NANOS : lastPace + 2 * LiveLatency.WINDOW_NANOS;
        long to = lastPace == 0 ? startedNanos : now;
        long reads = engine.liveLatency(false).medianP95Between(from, to);
        long writes = engine.liveLatency(true).medianP95Between(from, to);
        budget.baseline(0, reads);
        budget.baseline(1, writes);
        budget.start();
        if (budget.budget() > 0 && (reads > 0 || writes > 0)) {
            LOG.info(
                    "vshard migrator {}: rests between batches while this router's p95 is over {} times its value"
                            + " before (reads {} ms, writes {} ms)",
                    id,
                    budget.budget(),
                    millis(reads),
                    millis(writes));
        }
    }

    /** The reads' and the writes' window that closed last on this migrator's router (the budget's two kinds). */
    private LiveLatency.Ended[] lastWindows() {
        return new LiveLatency.Ended[] {
            engine.liveLatency(false).last(), engine.liveLatency(true).last()
        };
    }

    /**
     * How long this migrator has rested between batches because the statements beside it were over the
     * {@link #P95_BUDGET_PROPERTY} budget, in milliseconds.
     */
    public long yieldedMillis() {
        return yieldedNanos.sum() / 1_000_000L;
    }

    /** How many moves may run at once now: one when routers report crowded shards, else as the budget says. */
    private int lanes() {
        if (crowded) {
            return 1;
        }
        return budget.watching(lastWindows(), System.nanoTime()) ? budget.lanes(workers.size()) : workers.size();
    }

    private static String millis(long nanos) {
        return nanos <= 0 ? "unmeasured" : String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private record Check(int to, String state, long at) {}

    private volatile Check lastCheck;

    /**
     * Waits until every live router acknowledged {@code epoch} (a router whose heartbeat is older than the
     * lease has stopped writing to migrating cohorts on its own).
     *
     * @return whether they did within ten leases
     */
    boolean awaitAcks(long epoch) throws SQLException {
        Duration lease = engine.options().lease();
        long deadline = System.nanoTime() + lease.toNanos() * 10;
        long leasedAt = 0;
        java.util.Set<String> firstLive = null;
        while (!stopped) {
            // The lease (a committed write) is renewed every RECHECK_MILLIS, not every poll: it lasts at least
            // MIN_LEASE_MS, and a commit per poll competed with the routers' own acknowledgement commits.
            if (leasedAt == 0 || System.nanoTime() - leasedAt >= RECHECK_MILLIS * 1_000_000L) {
                if (!store.acquireLease(id, leaseTtl())) {
                    throw new java.sql.SQLTransientException("migrator " + id + " lost its lease", "55000");
                }
                leasedAt = System.nanoTime();
            }
            boolean all = true;
            List<ControlStore.Router> live = engine.controlStore().liveRouters(lease);
            for (ControlStore.Router r : live) {
                all &= r.viewEpoch() >= epoch;
            }
            if (firstLive == null) {
                firstLive = routerIds(live);
            }
            if (all) {
                java.util.Set<String> now = routerIds(live);
                for (String gone : firstLive) {
                    if (!now.contains(gone)) {
                        // Its writes stop on their own (Engine#lapse); logged because a router that drops out
                        // while alive says its heartbeats are too slow for the lease.
                        LOG.info(
                                "vshard migrator {}: router {} counted gone while epoch {} was awaited (no heartbeat for"
                                        + " {} ms)",
                                id,
                                gone,
                                epoch,
                                lease.toMillis());
                    }
                }
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            engine.refresh();
            // The routers write their acknowledgement within a quarter heartbeat while a cohort moves (Engine's
            // quick acks); polling the control store every few milliseconds keeps this wait at theirs.
            sleep(Math.max(2, Math.min(5, engine.options().heartbeat().toMillis() / 5)));
        }
        return false;
    }

    private static java.util.Set<String> routerIds(List<ControlStore.Router> routers) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (ControlStore.Router r : routers) {
            out.add(r.id());
        }
        return out;
    }

    ShardLinks links() {
        return links;
    }

    /** The threads on which a batch's per-data-source reads and writes run side by side. */
    ParallelSources parallelSources() {
        return parallel;
    }

    /**
     * Computes a cohort's digests on both sides now and records the check.
     *
     * @return {@code null} when they match, else what differed
     */
    String verify(int cohortId) throws SQLException {
        RouterView v = store.view();
        if (v.migration() == null) {
            throw new SQLException("no migration is live", "55000");
        }
        for (CohortRecord c : store.cohorts(v.migration().toVersion())) {
            if (c.cohort().id() == cohortId) {
                return move.verifyNow(v.routing(), c);
            }
        }
        throw new SQLException("no cohort " + cohortId, "22023");
    }

    /** Simulates a crash: the thread stops at once, connections drop, the lease stays until it expires. */
    public void kill() {
        killed = true;
        stopped = true;
        Thread t = thread;
        links.close();
        workers.kill();
        parallel.close();
        indexBuilds.close();
        if (t != null) {
            t.interrupt();
            join(t);
        }
    }

    @Override
    public void close() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            join(t);
        } else {
            workers.close();
            links.close();
            parallel.close();
            indexBuilds.close();
        }
    }

    private static void join(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 1900 ? s.substring(0, 1900) : s;
    }
}
