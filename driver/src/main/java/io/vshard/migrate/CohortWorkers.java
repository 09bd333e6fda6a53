package io.vshard.migrate;

import io.vshard.control.CohortRecord;
import io.vshard.control.MigrationStore;
import io.vshard.engine.Engine;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.placement.RoutingState;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Forward cohort moves run side by side: up to {@code size} cohorts at once, each on its own worker thread
 * with its own shard connections ({@link ShardLinks} and {@link CohortMove} are single-threaded).
 *
 * <p>Each move is the whole protocol of its cohort (copy, catch-up, fence, final delta, digests, flip), and
 * cohorts are disjoint sets of rows, so two moves never read or write the same row; the only shared thing is
 * the routing epoch, and each fence waits for acknowledgements of its own epoch or a later one. So moving
 * cohorts concurrently changes nothing a single move proves. Two rules keep it simple: moves run on distinct
 * old shards (no two moves read the same source tables at once), and the test cohort moves alone, before any
 * other. Only the migrator's loop thread calls these methods; it starts moves only while the migration is
 * RUNNING and, in any other state, waits for the running moves to end before it acts (a move checks the
 * state before each batch and returns when the migration left RUNNING).
 *
 * <p>Pipelining ({@value #PIPELINE_PROPERTY}, off by default): a move that has copied, caught up and digested
 * its cohorts and goes to its fence no longer counts against the number of moves that may copy at once, and one
 * lane beyond that number lets the next cohort's copy start while it waits for the routers' acknowledgements and
 * runs its final delta. The fence path is unchanged (every move still waits for its own epoch's acknowledgements
 * before its final delta, and a copy holds back its batches while another move works under a fence, see
 * {@link Migrator#awaitFences()}); what changes is that the acknowledgement wait, the heartbeat's time and not
 * CPU, no longer stops the copying. While the test cohort is not NEW or routers report crowded shards, a fenced
 * move counts as before (no copy runs beside it).
 */
final class CohortWorkers implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CohortWorkers.class);

    /** One worker's connections and mover. */
    private record Lane(ShardLinks links, CohortMove move) {}

    /**
     * A move of a group of cohorts (under one fence), keyed by its first cohort; {@code fencing} turns true (on the
     * worker's thread) once its copies are done and it goes to its fence.
     */
    private record Running(
            List<Integer> cohorts, Set<Integer> oldShards, Lane lane, Future<?> future, AtomicBoolean fencing) {}

    /**
     * Whether the next cohort's copy may run beside a move that waits under its fence: the system property
     * {@code vshard.migrator.pipeline}, else {@code false}. Off by default: a cohort of the benchmark's size is
     * one batch, so a copy started during another move's acknowledgement wait cannot hold back while that move
     * works under its fence, and on a loaded 2-core host the flip pause p99 rose from 105 to 406 ms with the
     * migration no faster (BENCHMARKS.md, session 7). Measured again in session 9 at load 5-10 (in a variant, not
     * kept, whose copy also held back before each table read and each target rewrite): no faster (32.2 s against
     * 31.4 s), flip p99 451 against 199 ms; a copy beside a fence slows the acknowledgements and the final delta.
     */
    static final String PIPELINE_PROPERTY = "vshard.migrator.pipeline";

    private final boolean pipeline = Boolean.parseBoolean(System.getProperty(PIPELINE_PROPERTY, "false"));
    private final int size;
    private final int group;
    private final ExecutorService pool;
    private final Deque<Lane> idle = new ArrayDeque<>();
    private final List<Lane> lanes = new ArrayList<>();
    private final Map<Integer, Running> running = new LinkedHashMap<>();

    CohortWorkers(
            Migrator migrator, Engine engine, MigrationStore store, MigrationListener listener, int size, int group) {
        this.size = Math.max(1, size);
        this.group = Math.max(1, group);
        int laneCount = this.size + (pipeline ? 1 : 0);
        for (int i = 0; i < laneCount; i++) {
            ShardLinks links = new ShardLinks(engine.config(), true);
            Lane lane = new Lane(links, new CohortMove(migrator, engine, store, links, listener));
            lanes.add(lane);
            idle.add(lane);
        }
        int[] n = {0};
        this.pool = Executors.newFixedThreadPool(laneCount, r -> {
            Thread t = new Thread(r, "vshard-migrator-worker-" + (++n[0]));
            t.setDaemon(true);
            return t;
        });
    }

    /** How many moves may run at once. */
    int size() {
        return size;
    }

    /** Whether any move is running. */
    boolean busy() {
        return !running.isEmpty();
    }

    /**
     * Starts moves for the next cohorts in plan order that are not NEW and not moving, up to {@code limit} copying
     * (at most the worker count; with pipelining a move gone to its fence copies no more, and one more lane may
     * run), each on old shards no running move reads; each move takes up to the group size of such cohorts, and
     * at most the manifest's cohort size in planned rows, under one fence (a cohort already FENCED, resumed, moves
     * alone); while the test cohort is not NEW, only it.
     *
     * @return whether any cohort is left to move (running or not)
     */
    boolean fill(RoutingState base, List<CohortRecord> cohorts, int limit) {
        boolean testPending = false;
        boolean left = false;
        for (CohortRecord c : cohorts) {
            testPending |= c.cohort().test() && c.state() != CohortState.NEW;
            left |= c.state() != CohortState.NEW;
        }
        Set<Integer> shards = new HashSet<>();
        Set<Integer> moving = new HashSet<>();
        for (Running r : running.values()) {
            shards.addAll(r.oldShards());
            moving.addAll(r.cohorts());
        }
        limit = testPending ? 1 : Math.min(size, Math.max(1, limit));
        // The fenced moves overlap the copies only in the steady state: not for the test cohort (it moves alone,
        // first) and not while routers report crowded shards (limit 1 then: nothing beside the one move).
        boolean overlap = pipeline && !testPending && limit == size;
        long budget = base.next().migration().cohortTargetRows();
        List<CohortRecord> next = new ArrayList<>();
        long rows = 0;
        for (CohortRecord c : cohorts) {
            if (!room(limit, overlap)) {
                break;
            }
            if (c.state() == CohortState.NEW
                    || moving.contains(c.cohort().id())
                    || shards.contains(c.cohort().oldShard())
                    || (testPending && !c.cohort().test())) {
                continue;
            }
            boolean alone = testPending || c.state() == CohortState.FENCED;
            if (alone && !next.isEmpty()) {
                continue;
            }
            // A group holds at most the manifest's cohort size in planned rows: cohorts smaller than it (an old
            // shard holding fewer rows than the target) move together, a full-sized one moves alone.
            if (!next.isEmpty() && rows + c.cohort().plannedRows() > budget) {
                start(base, next, shards, moving);
                next = new ArrayList<>();
                rows = 0;
                if (!room(limit, overlap)) {
                    break;
                }
            }
            next.add(c);
            rows += c.cohort().plannedRows();
            if (alone || next.size() >= group) {
                start(base, next, shards, moving);
                next = new ArrayList<>();
                rows = 0;
            }
        }
        if (!next.isEmpty() && room(limit, overlap)) {
            start(base, next, shards, moving);
        }
        return left || !running.isEmpty();
    }

    /** Whether one more move may start: fewer than {@code limit} copy, and a lane is free. */
    private boolean room(int limit, boolean overlap) {
        if (!overlap) {
            return running.size() < limit;
        }
        int copying = 0;
        for (Running r : running.values()) {
            copying += r.fencing().get() ? 0 : 1;
        }
        return copying < limit && !idle.isEmpty();
    }

    private void start(RoutingState base, List<CohortRecord> move, Set<Integer> shards, Set<Integer> moving) {
        List<CohortRecord> records = List.copyOf(move);
        List<Integer> ids = new ArrayList<>();
        Set<Integer> olds = new HashSet<>();
        for (CohortRecord c : records) {
            ids.add(c.cohort().id());
            olds.add(c.cohort().oldShard());
        }
        Lane lane = idle.poll();
        AtomicBoolean fencing = new AtomicBoolean();
        Future<?> f = pool.submit(() -> {
            lane.move().forward(base, records, () -> fencing.set(true));
            return null;
        });
        running.put(ids.get(0), new Running(ids, olds, lane, f, fencing));
        shards.addAll(olds);
        moving.addAll(ids);
    }

    /**
     * Collects the moves that ended, telling {@code done} each cohort of a move that completed; throws the first
     * failure (a {@link CohortFailure}: the cohort and step it failed at) after collecting them all.
     *
     * @return how many ended
     */
    int reap(java.util.function.IntConsumer done) throws SQLException {
        int ended = 0;
        SQLException first = null;
        for (Map.Entry<Integer, Running> e : List.copyOf(running.entrySet())) {
            Running r = e.getValue();
            if (!r.future().isDone()) {
                continue;
            }
            running.remove(e.getKey());
            idle.add(r.lane());
            ended++;
            try {
                r.future().get();
                r.cohorts().forEach(done::accept);
            } catch (ExecutionException ex) {
                // The next move on this lane reconnects, as the loop does after a failed step.
                r.lane().links().reset();
                Throwable cause = ex.getCause();
                SQLException q =
                        cause instanceof SQLException x ? x : new SQLException(String.valueOf(cause), "XX000", cause);
                int at = r.lane().move().cohortAt();
                SQLException s = new CohortFailure(
                        r.cohorts().contains(at) ? at : e.getKey(),
                        r.lane().move().stepAt(),
                        q);
                if (first == null) {
                    first = s;
                } else {
                    LOG.warn("vshard migrator: cohort {} also failed: {}", e.getKey(), cause.getMessage());
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return ended;
            }
        }
        if (first != null) {
            throw first;
        }
        return ended;
    }

    /** Waits up to {@code millis} for a running move to end or (pipelining) to go to its fence. */
    void awaitAny(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        int fencingBefore = fencingCount();
        while (System.nanoTime() < deadline) {
            for (Running r : running.values()) {
                if (r.future().isDone()) {
                    return;
                }
            }
            if (pipeline && fencingCount() > fencingBefore) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int fencingCount() {
        int n = 0;
        for (Running r : running.values()) {
            n += r.fencing().get() ? 1 : 0;
        }
        return n;
    }

    /**
     * Drops every worker's connections for good (a simulated crash, from any thread) and interrupts the
     * workers; a worker still running fails at its next statement instead of reconnecting.
     */
    void kill() {
        pool.shutdownNow();
        for (Lane l : lanes) {
            l.links().close();
        }
    }

    /** Waits for the running moves to end (they return at their next check once the migrator stopped). */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Lane l : lanes) {
            l.links().close();
        }
    }
}
