package io.vshard.migrate;

import io.vshard.control.CohortRecord;
import io.vshard.control.ControlStore;
import io.vshard.control.MigrationRecord;
import io.vshard.control.MigrationStore;
import io.vshard.engine.Engine;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.digest.CohortDigest;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The move protocol for one cohort (DESIGN.md, "Moving a cohort"), forward and back, and the ledger move of
 * the effective window. Each method advances from the state the control store records, so a migrator that
 * was killed picks up in the middle: COPYING resumes after the last copied creator and catches up from the
 * recorded journal marks; FENCED waits for the acknowledgements again and reads the final delta.
 */
final class CohortMove {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CohortMove.class);
    private static final int SMALL_DELTA = 20;
    private static final long PROGRESS_MILLIS = 500;
    /** Drain threads per data source (see {@link #drainOldCopies}). */
    static final int DRAIN_THREADS_PER_SOURCE = 2;

    private final Engine engine;
    private final MigrationStore store;
    private final RowMover mover;
    private final JournalMarks marks;
    private final List<TableRule> tables;
    private final MigrationListener listener;
    private final Migrator migrator;
    private final ShardLinks links;
    /** Whether this move holds a fence now (a move runs on one thread at a time). */
    private boolean underFence;
    // Where this move is, for the status of a failure (read by the migrator's loop thread after the move ended).
    private volatile int cohortAt;
    private volatile String stepAt = "start";

    /** Records where the move is: {@code cohort} (0 for none) at {@code step} of the protocol. */
    void at(int cohort, String step) {
        cohortAt = cohort;
        stepAt = step;
    }

    /** The cohort the move was at last (0 for none). */
    int cohortAt() {
        return cohortAt;
    }

    /** The protocol step the move was at last. */
    String stepAt() {
        return stepAt;
    }

    CohortMove(Migrator migrator, Engine engine, MigrationStore store, ShardLinks links, MigrationListener listener) {
        this.migrator = migrator;
        this.links = links;
        this.engine = engine;
        this.store = store;
        this.tables = shardedTables(engine);
        this.mover = new RowMover(links, tables, migrator.parallelSources());
        this.marks = new JournalMarks(links, engine.options().lease().toMillis() * 2, migrator.parallelSources());
        this.listener = listener;
    }

    static List<TableRule> shardedTables(Engine engine) {
        List<TableRule> out = new ArrayList<>();
        for (TableRule t : engine.config().tables().all()) {
            if (t.kind() == TableRule.Kind.SHARDED) {
                out.add(t);
            }
        }
        return out;
    }

    static RoutingState at(RoutingState base, Cohort k, CohortState s) {
        return new RoutingState(base.active(), base.next(), base.cohorts().with(k.id(), s), base.ledgerOnNext());
    }

    /** A cohort copied, caught up and digested, ready for its fence ({@code proof} null: digest it under it). */
    private record Ready(Cohort cohort, Scope.Cohort scope, ShardLocation oldLoc, Progress p, CreatorDigests proof) {}

    /**
     * Moves a cohort old → new from the state recorded in {@code rec}; returns quietly when paused.
     *
     * <p>The fence is kept short: the whole cohort is copied, caught up and digested on both sides before it;
     * under it only the final delta (the creators journaled since the last catch-up's marks) is copied and
     * digested again, and the cohort's digest is the sum of its creators' digests.
     */
    void forward(RoutingState base, CohortRecord rec) throws SQLException {
        forward(base, List.of(rec), () -> {});
    }

    /**
     * Moves a group of cohorts old → new under one fence: fresh cohorts are copied, caught up and digested in one
     * pass (others one after another), then all are FENCED in one epoch and the routers' acknowledgement is
     * awaited once for the group; then the final deltas are copied, each cohort's digests compared and the
     * passed ones flipped to NEW together. Each cohort keeps
     * its own state, marks and proof in the control store, so a killed migrator resumes each as before. A
     * record already FENCED (a resumed move) is fenced again alone. Returns quietly when paused.
     *
     * <p>{@code fencing} runs once the group is copied, caught up and digested, just before its fence (or at once
     * for a resumed FENCED record): from then on the move only waits for routers and runs its final deltas, so
     * the next cohorts' copies may start beside it (see {@link CohortWorkers}).
     */
    void forward(RoutingState base, List<CohortRecord> group, Runnable fencing) throws SQLException {
        int to = base.next().version();
        if (group.size() == 1 && group.get(0).state() == CohortState.FENCED) {
            fencing.run();
            CohortRecord rec = group.get(0);
            Cohort k = rec.cohort();
            Scope.Cohort scope = new Scope.Cohort(at(base, k, CohortState.COPYING), at(base, k, CohortState.NEW), k);
            Ready r = new Ready(k, scope, base.active().locate(k.oldShard()), Progress.decode(rec.marks()), null);
            fenced(base, List.of(r), rec.epoch());
            return;
        }
        List<Ready> ready = new ArrayList<>();
        if (together(group)) {
            ready = copiedTogether(base, group);
            if (ready == null) {
                // Paused: the cohorts stay COPYING with their marks; later moves take them one by one.
                return;
            }
        } else {
            for (CohortRecord rec : group) {
                Ready r = copied(base, rec);
                if (r == null) {
                    // Paused: the cohorts copied so far stay COPYING with their marks; a later move catches them up.
                    return;
                }
                ready.add(r);
            }
        }
        if (!migrator.running(to, MigrationRecord.RUNNING)) {
            // Paused (or rolled back) while the group digested: no fence. The cohorts stay COPYING with their
            // marks, so a later move catches each up and checks it again; a PAUSE takes effect before the next
            // fence, not after the flips of a whole group.
            return;
        }
        List<Integer> ids = new ArrayList<>();
        for (Ready r : ready) {
            ids.add(r.cohort().id());
        }
        fencing.run();
        fenced(base, ready, store.setCohortStates(to, ids, CohortState.FENCED));
    }

    /**
     * Whether a group is copied in one pass: more than one cohort, each never copied before (PLANNED, no rows
     * copied). A resumed or rolled-back cohort takes its own move, which knows where a stopped pass left off.
     */
    private static boolean together(List<CohortRecord> group) {
        if (group.size() < 2) {
            return false;
        }
        for (CohortRecord rec : group) {
            if (rec.state() != CohortState.PLANNED || rec.rowsCopied() > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies, catches up and digests a group of fresh cohorts in one pass before their common fence; {@code null}
     * when the migration paused. The group's creators are read, written and digested together, so a target's
     * table takes one COPY per batch for the whole group instead of one per cohort, and the catch-up, the new
     * side's digest and the control-store records are shared too. Each cohort keeps its own state, marks and
     * proof, advanced as its own move would advance them: its creators are copied in key order (the cohorts one
     * after another), so its {@code copiedUpTo} and first-pass mark are exact, and a migrator stopped mid-pass
     * resumes each cohort alone from them.
     */
    private List<Ready> copiedTogether(RoutingState base, List<CohortRecord> group) throws SQLException {
        int to = base.next().version();
        List<Cohort> cohorts = new ArrayList<>();
        for (CohortRecord rec : group) {
            cohorts.add(rec.cohort());
        }
        Scope.Group scope = groupScope(base, cohorts);
        int first = cohorts.get(0).id();
        at(first, "copy");
        long startedAt = System.nanoTime();
        Map<Integer, ShardLocation> oldLocs = new java.util.LinkedHashMap<>();
        for (Cohort k : cohorts) {
            oldLocs.put(k.id(), base.active().locate(k.oldShard()));
        }
        List<ShardLocation> locs = new ArrayList<>(new LinkedHashSet<>(oldLocs.values()));
        // As for one cohort: marks taken before the cohorts are COPYING bound the catch-up (see copied).
        Map<ShardLocation, Long> since = new java.util.LinkedHashMap<>(marks.mark(locs));
        Map<Integer, Progress> progress = new java.util.LinkedHashMap<>();
        List<MigrationStore.CohortProgress> starts = new ArrayList<>();
        for (Cohort k : cohorts) {
            Progress p = new Progress();
            p.copyMarks.put(oldLocs.get(k.id()), since.get(oldLocs.get(k.id())));
            progress.put(k.id(), p);
            starts.add(new MigrationStore.CohortProgress(k.id(), 0, p.encode()));
        }
        store.startCopying(to, starts);
        // Each cohort's creators in key order, the cohorts in the group's order.
        List<ShardKey> creators = new ArrayList<>();
        for (Cohort k : cohorts) {
            creators.addAll(creatorsOf(new Scope.Cohort(scope.from(), scope.to(), k), oldLocs.get(k.id()), false));
        }
        long listedAt = System.nanoTime();
        CreatorDigests seen = new CreatorDigests();
        TreeMap<Long, ShardKey> known = new TreeMap<>();
        remember(known, creators);
        if (!copyGroup(scope, creators, progress, to, seen)) {
            return null;
        }
        long firstPassAt = System.nanoTime();
        String firstPass = mover.timing();
        at(first, "catch-up");
        Map<Integer, Long> caught = new java.util.HashMap<>();
        int rounds = 0;
        int last = Integer.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            rounds++;
            Map<ShardLocation, Long> reached = marks.mark(locs);
            List<ShardKey> dirty = members(scope, marks.keys(since, reached));
            RowMover.Tally t = copyBatches(scope, dirty, to, seen, null);
            if (t == null) {
                return null;
            }
            t.copiedByCohort.forEach((id, n) -> caught.merge(id, n, Long::sum));
            since.putAll(reached);
            remember(known, dirty);
            if (dirty.size() <= SMALL_DELTA || dirty.size() >= last) {
                break;
            }
            last = dirty.size();
            if (!migrator.running(to, MigrationRecord.RUNNING)) {
                return null;
            }
        }
        // The new side's journal position for a later rollback's catch-up (see copied).
        Map<ShardLocation, Long> flipMarks = marks.peek(nextLocations(base));
        List<MigrationStore.CohortProgress> records = new ArrayList<>();
        for (Cohort k : cohorts) {
            Progress p = progress.get(k.id());
            ShardLocation oldLoc = oldLocs.get(k.id());
            p.copyMarks.put(oldLoc, since.get(oldLoc));
            p.flipMarks.putAll(flipMarks);
            records.add(new MigrationStore.CohortProgress(k.id(), caught.getOrDefault(k.id(), 0L), p.encode()));
        }
        store.recordProgress(to, records);
        for (Cohort k : cohorts) {
            listener.copied(k);
        }
        long copiedAt = System.nanoTime();
        at(first, "digest");
        // One digest read per side, as for one cohort (see copied): the old side's from the copy's own reads.
        digestNewSide(scope, known.values(), seen);
        long digestedAt = System.nanoTime();
        Map<Integer, Set<Long>> creatorsBy = byCohort(scope.from(), known.values());
        copyEnded(
                scope.describe() + " copied together",
                cohorts,
                startedAt,
                listedAt,
                firstPassAt,
                firstPass,
                rounds,
                copiedAt,
                digestedAt);
        List<Ready> ready = new ArrayList<>();
        for (Cohort k : cohorts) {
            Scope.Cohort own = new Scope.Cohort(at(base, k, CohortState.COPYING), at(base, k, CohortState.NEW), k);
            ready.add(new Ready(
                    k,
                    own,
                    oldLocs.get(k.id()),
                    progress.get(k.id()),
                    seen.only(creatorsBy.getOrDefault(k.id(), Set.of()))));
        }
        return ready;
    }

    /**
     * Reports a copy pass that ended (copied, caught up, digested before the fence): each step's time to the
     * listener, shared out evenly over {@code cohorts}, and the pass to the debug log as {@code what}.
     */
    private void copyEnded(
            String what,
            List<Cohort> cohorts,
            long startedAt,
            long listedAt,
            long firstPassAt,
            String firstPass,
            int rounds,
            long copiedAt,
            long digestedAt) {
        for (Cohort k : cohorts) {
            listener.timed(k, MigrationListener.Step.COPY, (firstPassAt - startedAt) / cohorts.size());
            listener.timed(k, MigrationListener.Step.CATCH_UP, (copiedAt - firstPassAt) / cohorts.size());
            listener.timed(k, MigrationListener.Step.DIGEST, (digestedAt - copiedAt) / cohorts.size());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "vshard migrator: {} in {} ms (listed in {} ms, first pass {} ms: {}; {} catch-up rounds),"
                            + " digested before the fence in {} ms ({})",
                    what,
                    (copiedAt - startedAt) / 1_000_000L,
                    (listedAt - startedAt) / 1_000_000L,
                    (firstPassAt - startedAt) / 1_000_000L,
                    firstPass,
                    rounds,
                    (digestedAt - copiedAt) / 1_000_000L,
                    mover.timing());
        }
    }

    private int cohortOfKey(RoutingState from, ShardKey key) {
        return Placement.locate(from, tables.get(0), key, null).cohortId();
    }

    /** The creator ids of {@code keys} per cohort, as the placement function assigns them under {@code from}. */
    private Map<Integer, Set<Long>> byCohort(RoutingState from, Collection<ShardKey> keys) {
        Map<Integer, Set<Long>> out = new java.util.HashMap<>();
        for (ShardKey key : keys) {
            out.computeIfAbsent(cohortOfKey(from, key), x -> new java.util.HashSet<>())
                    .add(key.creatorId());
        }
        return out;
    }

    /**
     * A group's scope: every one of {@code cohorts} COPYING before and NEW after (rows of a fenced cohort still
     * live where COPYING puts them, so the group's final delta uses the same scope).
     */
    private static Scope.Group groupScope(RoutingState base, List<Cohort> cohorts) {
        RoutingState from = base;
        RoutingState after = base;
        for (Cohort k : cohorts) {
            from = at(from, k, CohortState.COPYING);
            after = at(after, k, CohortState.NEW);
        }
        return new Scope.Group(from, after, cohorts);
    }

    /**
     * The first pass of a group: {@code creators} (each cohort's in key order) copied from the old side only (none
     * has copies yet); after each batch every cohort it reached records its rows and how far its first pass got,
     * in one control-store transaction.
     *
     * @return {@code false} when the migration left RUNNING
     */
    private boolean copyGroup(
            Scope.Group scope, List<ShardKey> creators, Map<Integer, Progress> progress, int to, CreatorDigests seen)
            throws SQLException {
        Map<Integer, Long> lastOf = new java.util.HashMap<>();
        for (ShardKey key : creators) {
            lastOf.put(cohortOfKey(scope.from(), key), key.creatorId());
        }
        // Cohorts without creators have nothing to copy: their first pass is done at once.
        List<MigrationStore.CohortProgress> empty = new ArrayList<>();
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            if (!lastOf.containsKey(e.getKey())) {
                e.getValue().firstPassDone = true;
                empty.add(new MigrationStore.CohortProgress(
                        e.getKey(), 0, e.getValue().encode()));
            }
        }
        store.recordProgress(to, empty);
        return copyBatches(scope, creators, to, seen, (batch, t) -> {
                    Map<Integer, Long> reached = new java.util.LinkedHashMap<>();
                    for (ShardKey key : batch) {
                        reached.put(cohortOfKey(scope.from(), key), key.creatorId());
                    }
                    List<MigrationStore.CohortProgress> records = new ArrayList<>();
                    for (Map.Entry<Integer, Long> e : reached.entrySet()) {
                        Progress p = progress.get(e.getKey());
                        p.copiedUpTo = e.getValue();
                        p.firstPassDone = e.getValue().equals(lastOf.get(e.getKey()));
                        records.add(new MigrationStore.CohortProgress(
                                e.getKey(), t.copiedByCohort.getOrDefault(e.getKey(), 0L), p.encode()));
                    }
                    store.recordProgress(to, records);
                })
                != null;
    }

    /** What a group's first pass does after each batch it copied. */
    private interface FirstPassBatch {
        void done(List<ShardKey> batch, RowMover.Tally copied) throws SQLException;
    }

    /**
     * Copies {@code creators} of a group a batch at a time, replacing their old-side digests in {@code seen}:
     * with {@code firstPass} from the old side only, then telling it each batch; without (a catch-up) reading
     * both sides. Returns the rows per cohort, or {@code null} when the migration left RUNNING.
     */
    private RowMover.Tally copyBatches(
            Scope.Group scope, List<ShardKey> creators, int to, CreatorDigests seen, FirstPassBatch firstPass)
            throws SQLException {
        int per = creatorsPerBatch(scope);
        RowMover.Tally all = new RowMover.Tally();
        for (int i = 0, end; i < creators.size(); i = end) {
            end = batchEnd(i, creators.size(), per);
            migrator.pace();
            migrator.awaitFences();
            if (!migrator.running(to, MigrationRecord.RUNNING)) {
                return null;
            }
            List<ShardKey> batch = creators.subList(i, end);
            RowMover.Tally t = new RowMover.Tally();
            mover.copy(scope, batch, t, firstPass != null, true);
            List<Long> ids = new ArrayList<>(batch.size());
            for (ShardKey key : batch) {
                ids.add(key.creatorId());
            }
            seen.forget(ids);
            seen.absorbBefore(t);
            t.copiedByCohort.forEach((id, n) -> all.copiedByCohort.merge(id, n, Long::sum));
            if (firstPass != null) {
                firstPass.done(batch, t);
            }
        }
        return all;
    }

    /** Copies, catches up and digests a cohort before its fence; {@code null} when the migration paused. */
    private Ready copied(RoutingState base, CohortRecord rec) throws SQLException {
        Cohort k = rec.cohort();
        at(k.id(), "copy");
        int to = base.next().version();
        Scope.Cohort scope = new Scope.Cohort(at(base, k, CohortState.COPYING), at(base, k, CohortState.NEW), k);
        ShardLocation oldLoc = base.active().locate(k.oldShard());
        Progress p = Progress.decode(rec.marks());
        // Copies from an earlier move (before a rollback) may sit on the new side for creators since deleted.
        boolean movedBefore = rec.rowsCopied() > 0;
        CreatorDigests proof;
        // The old side's digests per creator from the rows the copy itself read (and re-read for each creator a
        // catch-up found dirty): complete only when this process copied the cohort from its first creator on.
        CreatorDigests seen = null;
        // With seen: the cohort's creators as the first pass listed them plus every one a catch-up found dirty
        // (the list was taken after the copy marks, so a creator that appeared since was journaled).
        TreeMap<Long, ShardKey> known = new TreeMap<>();
        long startedAt = System.nanoTime();
        // A cohort never copied before, started afresh by this call: its creators have no copies on the new side
        // yet (a resumed move may have copied some batches already, a rolled-back one may have left copies).
        boolean noCopies = rec.state() == CohortState.PLANNED && !movedBefore;
        if (rec.state() == CohortState.PLANNED) {
            // Fresh progress (a rolled-back move's marks go) with the copy marks, recorded before the cohort is
            // COPYING: the journal records every write from the boundary window on, whatever the cohort's state,
            // so a mark taken before the state changes bounds the catch-up as well as one taken after it.
            p = new Progress();
            p.copyMarks.put(oldLoc, marks.mark(oldLoc));
            store.setCohortState(to, k.id(), CohortState.COPYING, p.encode());
        }
        if (p.copyMarks.isEmpty()) {
            p.copyMarks.put(oldLoc, marks.mark(oldLoc));
            store.recordProgress(to, k.id(), 0, p.encode());
        }
        long listedAt = startedAt;
        if (!p.firstPassDone) {
            List<ShardKey> creators = creatorsOf(scope, oldLoc, movedBefore);
            listedAt = System.nanoTime();
            long upTo = p.copiedUpTo;
            seen = upTo == Long.MIN_VALUE ? new CreatorDigests() : null;
            creators.removeIf(c -> c.creatorId() <= upTo);
            remember(known, creators);
            long unrecorded = copy(scope, creators, p, to, true, noCopies, seen);
            if (unrecorded < 0) {
                return null;
            }
            p.firstPassDone = true;
            store.recordProgress(to, k.id(), unrecorded, p.encode());
        }
        long firstPassAt = System.nanoTime();
        String firstPass = mover.timing();
        int rounds = 0;
        int last = Integer.MAX_VALUE;
        at(k.id(), "catch-up");
        for (int round = 0; round < 5; round++) {
            rounds++;
            // Recorded once after the rounds, with the flip marks: a migrator killed before that resumes from the
            // first pass's marks and copies the rounds' creators again, which is idempotent.
            Set<ShardKey> touched = catchUp(scope, List.of(oldLoc), p.copyMarks, p, to, seen, false);
            remember(known, touched);
            int dirty = touched.size();
            // Done when the delta is small, or no longer shrinks (the writers touch as much as a round
            // copies; the fence's final delta takes the rest).
            if (dirty <= SMALL_DELTA || dirty >= last) {
                break;
            }
            last = dirty;
            if (!migrator.running(to, MigrationRecord.RUNNING)) {
                return null;
            }
        }
        // The new side's journal position for a later rollback's catch-up; taken before the fence it can
        // only make that catch-up start earlier (re-copy more), never miss a write.
        p.flipMarks.putAll(marks.peek(nextLocations(base)));
        store.recordProgress(to, k.id(), caughtUpRows, p.encode());
        caughtUpRows = 0;
        listener.copied(k);
        long copiedAt = System.nanoTime();
        at(k.id(), "digest");
        if (seen != null) {
            // One digest read per side: the old side's rows were digested as the copy read them, and every
            // creator written since was journaled and read again by a catch-up (or is in the final delta).
            // Sound because the protocol already trusts the journal for this kind of interval: with a fresh read
            // of the old side here, a write between that read and the fence is found only through the journal
            // (the check under the fence re-digests only the final delta's creators). The journal entry commits
            // in the write's own local transaction, so a write through vshard cannot lack one; taking the old
            // side from the copy only moves the start of that interval back to the copy's read. The new side
            // is still read in full: that read is what catches a target changed behind vshard's back.
            proof = seen;
            digestNewSide(scope, known.values(), proof);
        } else {
            proof = new CreatorDigests();
            digest(scope, creatorsOf(scope, oldLoc, movedBefore), proof);
        }
        long digestedAt = System.nanoTime();
        copyEnded(
                "cohort " + k.id() + " copied",
                List.of(k),
                startedAt,
                listedAt,
                firstPassAt,
                firstPass,
                rounds,
                copiedAt,
                digestedAt);
        return new Ready(k, scope, oldLoc, p, proof);
    }

    /**
     * Under the fence of epoch {@code fenceEpoch} (the cohorts are FENCED): waits for the acknowledgements, then
     * per cohort copies the final delta, compares the digests and flips it to NEW. A cohort whose digests differ
     * leaves the ones after it unfenced (back to COPYING): the migration pauses, their writes need not wait.
     */
    private void fenced(RoutingState base, List<Ready> group, long fenceEpoch) throws SQLException {
        int to = base.next().version();
        boolean entered = false;
        try {
            long fencedAt = System.nanoTime();
            at(group.get(0).cohort().id(), "fence");
            if (!migrator.awaitAcks(fenceEpoch)) {
                for (Ready r : group) {
                    store.setCohortState(to, r.cohort().id(), CohortState.COPYING);
                }
                store.setMigrationError(
                        to, "cohort " + group.get(0).cohort().id() + ": routers did not acknowledge the fence in time");
                return;
            }
            long ackedAt = System.nanoTime();
            for (Ready r : group) {
                listener.timed(r.cohort(), MigrationListener.Step.FENCE_WAIT, ackedAt - fencedAt);
            }
            // From the acknowledgements on, the application's writes to the cohorts wait on this move's own work
            // (final deltas, digests, flips): the other moves hold back their batches meanwhile (awaitFences), so
            // this one has the machine and the pause stays short. Not while waiting for routers: that is their
            // heartbeat's time, not CPU.
            migrator.enterFence();
            underFence = true;
            entered = true;
            if (group.size() > 1 && group.stream().allMatch(r -> r.proof() != null)) {
                flipTogether(base, group, fencedAt, ackedAt);
                return;
            }
            for (int i = 0; i < group.size(); i++) {
                if (!flip(base, group.get(i), fencedAt, ackedAt)) {
                    unfence(to, group.subList(i + 1, group.size()));
                    return;
                }
            }
        } finally {
            if (entered) {
                underFence = false;
                migrator.leaveFence();
            }
        }
    }

    /**
     * Puts cohorts of a group that never reached their flip back to COPYING (best effort). Only after a digest
     * mismatch paused the migration: on a failure (a lost lease, a broken connection) they stay FENCED, and the
     * migrator that resumes them (this one or another) takes them from there, as after a crash.
     */
    private void unfence(int to, List<Ready> rest) {
        for (Ready r : rest) {
            try {
                store.setCohortState(to, r.cohort().id(), CohortState.COPYING);
            } catch (SQLException e) {
                // It stays FENCED: the migrator's next step resumes it there, as after a crash.
                LOG.warn(
                        "vshard migrator: cohort {} stays fenced: {}",
                        r.cohort().id(),
                        e.getMessage());
            }
        }
    }

    /** The final delta, the digest check and the flip of one fenced cohort; {@code false} on a mismatch. */
    private boolean flip(RoutingState base, Ready r, long fencedAt, long ackedAt) throws SQLException {
        Cohort k = r.cohort();
        Scope.Cohort scope = r.scope();
        Progress p = r.p();
        int to = base.next().version();
        CreatorDigests proof = r.proof();
        long deltaAt = System.nanoTime();
        at(k.id(), "final delta");
        Set<ShardKey> delta = catchUp(scope, List.of(r.oldLoc()), p.copyMarks, p, to, null);
        boolean wholeCohort = proof == null;
        if (wholeCohort) {
            // Resumed at FENCED: nothing digested in memory, so the whole check runs under the fence.
            proof = new CreatorDigests();
            digest(scope, creatorsOf(scope, r.oldLoc(), true), proof);
        } else {
            List<Long> ids = new ArrayList<>();
            for (ShardKey key : delta) {
                ids.add(key.creatorId());
            }
            proof.forget(ids);
            digest(scope, delta, proof);
        }
        return checkAndFlip(base, r, proof, wholeCohort, delta.size(), deltaAt, fencedAt, ackedAt);
    }

    /**
     * The final delta of a fenced group in one pass (every cohort of it copied and digested by this process):
     * one journal mark and read for the group's old shards, one copy and one digest of the creators written
     * since, shared out to each cohort's proof; then each cohort's check and flip as in {@link #flip}. The
     * pause of the group's last cohort is then one delta and a control-store write per cohort after the
     * acknowledgement, not one delta per cohort. A mismatch leaves the cohorts after it unfenced.
     */
    private boolean flipTogether(RoutingState base, List<Ready> group, long fencedAt, long ackedAt)
            throws SQLException {
        int to = base.next().version();
        long deltaAt = System.nanoTime();
        List<Cohort> cohorts = new ArrayList<>();
        Map<ShardLocation, Long> since = new java.util.LinkedHashMap<>();
        for (Ready r : group) {
            cohorts.add(r.cohort());
            // The earliest mark per old shard: a cohort behind the others is caught up from its own.
            since.merge(r.oldLoc(), r.p().copyMarks.getOrDefault(r.oldLoc(), 0L), Math::min);
        }
        Scope.Group scope = groupScope(base, cohorts);
        at(cohorts.get(0).id(), "final delta");
        Map<ShardLocation, Long> reached = marks.mark(new ArrayList<>(since.keySet()));
        List<ShardKey> delta = members(scope, marks.keys(since, reached));
        CreatorDigests fresh = new CreatorDigests();
        RowMover.Tally copied = new RowMover.Tally();
        if (!delta.isEmpty()) {
            mover.copy(scope, delta, copied, false, false);
            digest(scope, delta, fresh);
        }
        Map<Integer, Set<Long>> deltaOf = byCohort(scope.from(), delta);
        // Every cohort's check first, then the passed ones flip together in one control-store transaction (the
        // group's pause is one write, not one per cohort); a mismatch stops the checks there.
        List<MigrationStore.PassedCheck> passed = new ArrayList<>();
        Check failed = null;
        int at = 0;
        for (; at < group.size(); at++) {
            Ready r = group.get(at);
            r.p().copyMarks.put(r.oldLoc(), reached.get(r.oldLoc()));
            Set<Long> mine = deltaOf.getOrDefault(r.cohort().id(), Set.of());
            r.proof().forget(mine);
            r.proof().replace(fresh.only(mine));
            Check check = confirmed(r, r.proof(), false, to);
            if (check.failure() != null) {
                failed = check;
                break;
            }
            // The delta's rows count with the cohort's, as a catch-up's do, in the flip's own write.
            passed.add(new MigrationStore.PassedCheck(
                    r.cohort().id(),
                    check.olds(),
                    check.news(),
                    copied.copiedByCohort.getOrDefault(r.cohort().id(), 0L)));
        }
        if (!passed.isEmpty()) {
            at(cohorts.get(0).id(), "flip");
            store.passChecks(to, passed, CohortState.NEW);
            for (int i = 0; i < passed.size(); i++) {
                Ready r = group.get(i);
                flipped(r, deltaOf.getOrDefault(r.cohort().id(), Set.of()).size(), deltaAt, fencedAt, ackedAt);
            }
        }
        if (failed != null) {
            rollBack(base, group.get(at), failed);
            unfence(to, group.subList(at + 1, group.size()));
            return false;
        }
        return true;
    }

    /**
     * Compares a fenced cohort's digests (its final delta already digested into {@code proof}) and flips it to
     * NEW; {@code false} on a mismatch, which a full check of the cohort confirmed.
     */
    private boolean checkAndFlip(
            RoutingState base,
            Ready r,
            CreatorDigests proof,
            boolean wholeCohort,
            int deltaSize,
            long deltaAt,
            long fencedAt,
            long ackedAt)
            throws SQLException {
        Cohort k = r.cohort();
        Progress p = r.p();
        int to = base.next().version();
        Check check = confirmed(r, proof, wholeCohort, to);
        if (check.failure() != null) {
            rollBack(base, r, check);
            return false;
        }
        at(k.id(), "flip");
        if (p.flipMarks.isEmpty()) {
            p.flipMarks.putAll(marks.peek(nextLocations(base)));
            store.recordProgress(to, k.id(), 0, p.encode());
        }
        // The passed check and the flip commit together: one control-store write under the fence instead of two.
        store.passCheck(to, k.id(), check.olds(), check.news(), CohortState.NEW);
        flipped(r, deltaSize, deltaAt, fencedAt, ackedAt);
        return true;
    }

    /**
     * A fenced cohort's digest check: on {@code proof} as it stands, and when that incremental check differs,
     * on the whole cohort's digests taken again (still fenced), so only a difference that a full check confirms
     * rolls the cohort back.
     */
    private Check confirmed(Ready r, CreatorDigests proof, boolean wholeCohort, int to) throws SQLException {
        Scope.Cohort scope = r.scope();
        if (!wholeCohort && compare(scope, proof.before(), proof.after(), to, 0) != null) {
            LOG.warn(
                    "vshard migrator: cohort {}: the incremental digest check differed; checking the whole cohort",
                    r.cohort().id());
            proof = new CreatorDigests();
            digest(scope, creatorsOf(scope, r.oldLoc(), true), proof);
        }
        return check(scope, proof.before(), proof.after());
    }

    /** Records a failed check, puts the cohort back to PLANNED and pauses the migration with what differed. */
    private void rollBack(RoutingState base, Ready r, Check check) throws SQLException {
        int to = base.next().version();
        store.recordCheck(to, r.cohort().id(), check.olds(), check.news(), check.failure());
        RollbackTriggers.Action action = base.next().rollbackTriggers().onDigestMismatch();
        store.setCohortState(to, r.cohort().id(), CohortState.PLANNED);
        store.setMigrationState(
                to,
                MigrationRecord.PAUSED,
                check.failure() + (action == RollbackTriggers.Action.ROLLBACK ? "; the cohort was rolled back" : ""));
    }

    /** Tells the listener and the debug log that a cohort is NEW. */
    private void flipped(Ready r, int deltaSize, long deltaAt, long fencedAt, long ackedAt) {
        long flippedAt = System.nanoTime();
        listener.timed(r.cohort(), MigrationListener.Step.FINAL_DELTA, flippedAt - deltaAt);
        long pause = (flippedAt - fencedAt) / 1_000_000L;
        LOG.debug(
                "vshard migrator: cohort {} NEW; fenced {} ms (acknowledged after {} ms, final delta {} creators)",
                r.cohort().id(),
                pause,
                (ackedAt - fencedAt) / 1_000_000L,
                deltaSize);
        listener.flipped(r.cohort(), pause);
    }

    /** Moves a NEW cohort back new → old, copying only what the journal says changed since the flip. */
    void back(RoutingState base, CohortRecord rec) throws SQLException {
        Cohort k = rec.cohort();
        at(k.id(), "move back");
        int to = base.next().version();
        Scope.Cohort scope = new Scope.Cohort(at(base, k, CohortState.NEW), at(base, k, CohortState.PLANNED), k);
        ShardLocation oldLoc = base.active().locate(k.oldShard());
        Progress p = Progress.decode(rec.marks());
        List<ShardLocation> newLocs = nextLocations(base);
        long fenceEpoch = rec.epoch();
        long startedAt = System.nanoTime();
        if (rec.state() == CohortState.NEW) {
            store.setCohortState(to, k.id(), CohortState.REVERTING);
        }
        if (rec.state() != CohortState.REVERT_FENCED) {
            for (int round = 0; round < 3; round++) {
                if (catchUp(scope, newLocs, p.flipMarks, p, to, null).size() <= SMALL_DELTA) {
                    break;
                }
            }
            fenceEpoch = store.setCohortState(to, k.id(), CohortState.REVERT_FENCED);
        }
        if (!migrator.awaitAcks(fenceEpoch)) {
            store.setCohortState(to, k.id(), CohortState.REVERTING);
            store.setMigrationError(to, "cohort " + k.id() + ": routers did not acknowledge the revert fence");
            return;
        }
        Map<ShardLocation, Long> since = new TreeMap<>(java.util.Comparator.comparing(ShardLocation::toString));
        since.putAll(Progress.decode(rec.marks()).flipMarks);
        Set<ShardKey> touched = new LinkedHashSet<>(creatorsOf(scope, oldLoc, false));
        touched.addAll(members(scope, marks.keys(since, marks.mark(newLocs))));
        catchUp(scope, newLocs, p.flipMarks, p, to, null);
        String failure = verify(scope, touched, to);
        if (failure != null) {
            store.setCohortState(to, k.id(), CohortState.NEW);
            store.setMigrationState(to, MigrationRecord.PAUSED, failure + "; the cohort stays on the new version");
            return;
        }
        Progress fresh = new Progress();
        store.recordProgress(to, k.id(), 0, fresh.encode());
        store.setCohortState(to, k.id(), CohortState.PLANNED);
        LOG.debug(
                "vshard migrator: cohort {} moved back in {} ms ({} creators checked)",
                k.id(),
                (System.nanoTime() - startedAt) / 1_000_000L,
                touched.size());
        listener.reverted(k);
    }

    /**
     * Moves the ledger rows of the effective window and later: to the next version ({@code forward}) once the
     * effective window has begun (the cutover, see Migrator), back when a rollback ends. Their writes are held
     * meanwhile.
     */
    void ledger(RoutingState base, MigrationRecord m, boolean forward) throws SQLException {
        at(0, forward ? "ledger move" : "ledger move back");
        int to = base.next().version();
        RoutingState from = new RoutingState(base.active(), base.next(), base.cohorts(), !forward);
        RoutingState after = new RoutingState(base.active(), base.next(), base.cohorts(), forward);
        long heldAt = System.nanoTime();
        long e = store.setLedger(to, !forward, true);
        try {
            if (!migrator.awaitAcks(e)) {
                throw new java.sql.SQLTransientException(
                        "routers did not acknowledge the ledger hold in time", "55000");
            }
            Set<ShardLocation> locations = new LinkedHashSet<>();
            for (LogicalShard s : Placement.allShards(base)) {
                locations.add(s.location());
            }
            long ackedAt = System.nanoTime();
            marks.mark(locations);
            Scope.Ledger scope = new Scope.Ledger(from, after);
            mover.ledger(scope, locations, true, new RowMover.Tally());
            long copiedAt = System.nanoTime();
            RowMover.Tally check = new RowMover.Tally();
            mover.ledger(scope, locations, false, check);
            LOG.debug(
                    "vshard migrator: ledger {}: held and acknowledged in {} ms, copied in {} ms, checked in {} ms",
                    forward ? "forward" : "back",
                    (ackedAt - heldAt) / 1_000_000L,
                    (copiedAt - ackedAt) / 1_000_000L,
                    (System.nanoTime() - copiedAt) / 1_000_000L);
            String failure =
                    compare(scope, RowMover.Tally.totals(check.before), RowMover.Tally.totals(check.after), to, 0);
            if (failure != null) {
                store.setLedger(to, !forward, false);
                store.setMigrationState(to, MigrationRecord.PAUSED, failure);
                return;
            }
        } catch (SQLException | RuntimeException ex) {
            store.setLedger(to, !forward, false);
            throw ex;
        }
        store.setLedger(to, forward, false);
    }

    /** Digests a cohort on both sides where its state says it lives and where it would live after a flip. */
    String verifyNow(RoutingState base, CohortRecord rec) throws SQLException {
        Cohort k = rec.cohort();
        Scope.Cohort scope = new Scope.Cohort(at(base, k, CohortState.COPYING), at(base, k, CohortState.NEW), k);
        ShardLocation oldLoc = base.active().locate(k.oldShard());
        return verify(scope, creatorsOf(scope, oldLoc, true), base.next().version());
    }

    /**
     * Re-copies the scope's creators journaled at {@code locs} since {@code since}; returns them. With {@code seen}
     * non-null, their old-side digests there are replaced by the ones of the rows read again.
     */
    private Set<ShardKey> catchUp(
            Scope scope,
            List<ShardLocation> locs,
            Map<ShardLocation, Long> since,
            Progress p,
            int to,
            CreatorDigests seen)
            throws SQLException {
        return catchUp(scope, locs, since, p, to, seen, true);
    }

    /**
     * As above; without {@code record} the advanced marks and the rows copied are left for the caller's next
     * progress record (rows in {@link #caughtUpRows}).
     */
    private Set<ShardKey> catchUp(
            Scope scope,
            List<ShardLocation> locs,
            Map<ShardLocation, Long> since,
            Progress p,
            int to,
            CreatorDigests seen,
            boolean record)
            throws SQLException {
        Map<ShardLocation, Long> reached = marks.mark(locs);
        Set<ShardKey> dirty = new LinkedHashSet<>(members(scope, marks.keys(since, reached)));
        long unrecorded = copy(scope, new ArrayList<>(dirty), p, to, false, false, seen);
        if (unrecorded < 0) {
            throw new java.sql.SQLTransientException(
                    "the migration left " + expectedStateOf(scope) + " during a catch-up", "55000");
        }
        since.putAll(reached);
        caughtUpRows += unrecorded;
        if (record) {
            int cohortId = ((Scope.Cohort) scope).cohort().id();
            store.recordProgress(to, cohortId, caughtUpRows, p.encode());
            caughtUpRows = 0;
        }
        return dirty;
    }

    /** Rows a catch-up copied that no progress record counted yet (this move's thread only). */
    private long caughtUpRows;

    /**
     * Copies {@code creators} a batch at a time; with {@code noCopies} (see {@link RowMover#copy}) reading only
     * the old side; with {@code seen} non-null, records the old-side digests of the rows each batch read
     * (replacing what was known of the batch's creators, so a creator deleted meanwhile leaves nothing behind).
     * Without {@code seen} the copy digests nothing. The last batch's progress is left to the caller, which
     * records it right after (with more of its own).
     *
     * @return the rows copied that no progress record counted yet, or -1 when the migration left its state
     */
    private long copy(
            Scope.Cohort scope,
            List<ShardKey> creators,
            Progress p,
            int to,
            boolean firstPass,
            boolean noCopies,
            CreatorDigests seen)
            throws SQLException {
        String expected = expectedStateOf(scope);
        int per = creatorsPerBatch(scope);
        long unrecorded = 0;
        long recordedAt = 0;
        for (int i = 0, end; i < creators.size(); i = end) {
            end = batchEnd(i, creators.size(), per);
            if (!underFence) {
                migrator.pace();
                migrator.awaitFences();
            }
            if (!migrator.running(to, expected)) {
                if (unrecorded > 0) {
                    store.recordProgress(to, scope.cohort().id(), unrecorded, p.encode());
                }
                return -1;
            }
            List<ShardKey> batch = creators.subList(i, end);
            RowMover.Tally t = new RowMover.Tally();
            mover.copy(scope, batch, t, noCopies, seen != null);
            if (seen != null) {
                List<Long> ids = new ArrayList<>(batch.size());
                for (ShardKey key : batch) {
                    ids.add(key.creatorId());
                }
                seen.forget(ids);
                seen.absorbBefore(t);
            }
            if (firstPass) {
                p.copiedUpTo = batch.get(batch.size() - 1).creatorId();
            }
            unrecorded += t.copied;
            // The first batch is recorded at once (rows_copied > 0 tells a later move that copies may sit on
            // the new side), then at most every PROGRESS_MILLIS; the last by the caller: a resume from an older
            // copiedUpTo only copies some batches again, which is idempotent.
            long now = System.nanoTime();
            boolean lastBatch = end >= creators.size();
            if (!lastBatch && (i == 0 || now - recordedAt >= PROGRESS_MILLIS * 1_000_000L)) {
                store.recordProgress(to, scope.cohort().id(), unrecorded, p.encode());
                unrecorded = 0;
                recordedAt = now;
            }
        }
        return unrecorded;
    }

    /** Creators per batch: the manifest's batch size in rows, at about ten rows per creator. */
    private static int creatorsPerBatch(Scope scope) {
        return Math.max(1, scope.to().next().migration().batchRows() / 10);
    }

    /**
     * Where the batch starting at {@code from} of {@code size} creators ends: {@code per} creators on, or the end
     * when fewer than half a batch would be left (a cohort of 240 creators at 200 per batch is one batch, not one
     * of 200 and one of 40 that costs the same COPY per target as a full one).
     */
    static int batchEnd(int from, int size, int per) {
        int end = Math.min(size, from + per);
        return size - end < per / 2 ? size : end;
    }

    /** A forward move goes on while the migration runs; a move back while it rolls back. */
    private static String expectedStateOf(Scope scope) {
        return scope instanceof Scope.Cohort c
                        && scope.from().cohorts().stateOf(c.cohort()).servedByNew()
                ? MigrationRecord.ROLLING_BACK
                : MigrationRecord.RUNNING;
    }

    private long copy(
            Scope scope,
            List<ShardKey> creators,
            Progress p,
            int to,
            boolean firstPass,
            boolean noCopies,
            CreatorDigests seen)
            throws SQLException {
        return copy((Scope.Cohort) scope, creators, p, to, firstPass, noCopies, seen);
    }

    /** Compares the cohort digests on both sides per table; returns what differed, or {@code null}. */
    private String verify(Scope.Cohort scope, Collection<ShardKey> creators, int to) throws SQLException {
        CreatorDigests d = new CreatorDigests();
        digest(scope, creators, d);
        return compare(scope, d.before(), d.after(), to, scope.cohort().id());
    }

    /** Digests {@code creators} on both sides of {@code scope}, a batch at a time, into {@code into}. */
    private void digest(Scope scope, Collection<ShardKey> creators, CreatorDigests into) throws SQLException {
        List<ShardKey> list = new ArrayList<>(creators);
        int per = creatorsPerBatch(scope);
        for (int i = 0, end; i < list.size(); i = end) {
            end = batchEnd(i, list.size(), per);
            if (!underFence) {
                migrator.paceBeforeFence();
                migrator.awaitFences();
            }
            migrator.keepLease();
            RowMover.Tally t = new RowMover.Tally();
            mover.creators(scope, list.subList(i, end), false, t);
            into.absorb(t);
        }
    }

    /** Digests {@code creators} where they live after the move only, a batch at a time, into {@code into}. */
    private void digestNewSide(Scope scope, Collection<ShardKey> creators, CreatorDigests into) throws SQLException {
        List<ShardKey> list = new ArrayList<>(creators);
        int per = creatorsPerBatch(scope);
        for (int i = 0, end; i < list.size(); i = end) {
            end = batchEnd(i, list.size(), per);
            migrator.paceBeforeFence();
            migrator.awaitFences();
            migrator.keepLease();
            RowMover.Tally t = new RowMover.Tally();
            mover.newSide(scope, list.subList(i, end), t);
            into.absorbAfter(t);
        }
    }

    private String compare(
            Scope scope, Map<String, CohortDigest> before, Map<String, CohortDigest> after, int to, int cohortId)
            throws SQLException {
        Check check = check(scope, before, after);
        if (cohortId > 0) {
            store.recordCheck(to, cohortId, check.olds(), check.news(), check.failure());
        }
        return check.failure();
    }

    /** A digest comparison: what differed first ({@code null} when nothing did) and both sides, clipped. */
    private record Check(String failure, String olds, String news) {}

    private static Check check(Scope scope, Map<String, CohortDigest> before, Map<String, CohortDigest> after) {
        Set<String> names = new LinkedHashSet<>(before.keySet());
        names.addAll(after.keySet());
        StringBuilder olds = new StringBuilder();
        StringBuilder news = new StringBuilder();
        String failure = null;
        for (String table : names) {
            CohortDigest b = before.getOrDefault(table, CohortDigest.EMPTY);
            CohortDigest a = after.getOrDefault(table, CohortDigest.EMPTY);
            olds.append(olds.length() == 0 ? "" : ",").append(table).append('=').append(b);
            news.append(news.length() == 0 ? "" : ",").append(table).append('=').append(a);
            if (!b.equals(a) && failure == null) {
                failure = "digest mismatch in " + scope.describe() + ", table " + table + ": old side " + b
                        + ", new side " + a;
            }
        }
        return new Check(failure, clip(olds), clip(news));
    }

    private static String clip(StringBuilder sb) {
        return sb.length() > 80 ? sb.substring(0, 80) : sb.toString();
    }

    /** Adds {@code keys} to {@code known}, one key per creator, a key with a region over one without. */
    private static void remember(TreeMap<Long, ShardKey> known, Collection<ShardKey> keys) {
        for (ShardKey key : keys) {
            ShardKey prev = known.get(key.creatorId());
            if (prev == null || prev.region() == null) {
                known.put(key.creatorId(), key);
            }
        }
    }

    /** The cohort's creators: at its old place, and where copies may sit when it was moved before. */
    private List<ShardKey> creatorsOf(Scope.Cohort scope, ShardLocation oldLoc, boolean everywhere)
            throws SQLException {
        Cohort k = scope.cohort();
        Set<ShardLocation> where = new LinkedHashSet<>();
        where.add(oldLoc);
        if (everywhere) {
            where.addAll(nextLocations(scope.from()));
        }
        Map<String, List<ShardLocation>> bySource = new java.util.LinkedHashMap<>();
        for (ShardLocation l : where) {
            bySource.computeIfAbsent(l.dataSource(), d -> new ArrayList<>()).add(l);
        }
        TreeMap<Long, ShardKey> out = new TreeMap<>();
        for (TableRule t : tables) {
            for (Map.Entry<String, List<ShardLocation>> e : bySource.entrySet()) {
                for (ShardKey key : TableRows.creators(
                        links.get(e.getKey(), ShardLinks.READ), e.getValue(), t, k.firstCreator(), k.lastCreator())) {
                    if (Placement.locate(scope.from(), t, key, null).cohortId() == k.id()) {
                        ShardKey prev = out.get(key.creatorId());
                        if (prev == null || prev.region() == null) {
                            out.put(key.creatorId(), key);
                        }
                    }
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private List<ShardKey> members(Scope scope, List<ShardKey> keys) {
        List<ShardKey> out = new ArrayList<>();
        for (ShardKey key : keys) {
            if (scope.moves(cohortOfKey(scope.from(), key))) {
                out.add(key);
            }
        }
        return out;
    }

    static List<ShardLocation> nextLocations(RoutingState base) {
        Set<ShardLocation> out = new LinkedHashSet<>();
        for (int s = 0; s < base.next().shardCount(); s++) {
            out.add(base.next().locate(s));
        }
        return new ArrayList<>(out);
    }

    /**
     * Deletes the old copies the drained version left: at each location of {@code before}'s active layout, the
     * rows whose placement under {@code after} (stable) is elsewhere (see {@link OldCopies}). Locations are
     * drained in parallel, {@value #DRAIN_THREADS_PER_SOURCE} threads per data source taking locations from one
     * queue, each thread with its own connections: the drain is most of a migration's end on an embedded fleet,
     * and one thread per data source left a core idle while the data source holding the hot shards (most of the
     * old copies) was still deleting.
     */
    long drainOldCopies(RoutingState before, RoutingState after) throws SQLException {
        java.util.concurrent.ConcurrentLinkedQueue<ShardLocation> queue =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        Set<String> sources = new LinkedHashSet<>();
        for (int s = 0; s < before.active().shardCount(); s++) {
            ShardLocation l = before.active().locate(s);
            if (!queue.contains(l)) {
                queue.add(l);
                sources.add(l.dataSource());
            }
        }
        int threads = Math.max(1, Math.min(queue.size(), DRAIN_THREADS_PER_SOURCE * sources.size()));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "vshard-migrator-drain");
            th.setDaemon(true);
            return th;
        });
        try {
            List<java.util.concurrent.Future<Long>> parts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                parts.add(pool.submit(() -> drain(queue, after)));
            }
            long deleted = 0;
            for (java.util.concurrent.Future<Long> f : parts) {
                deleted += f.get();
            }
            return deleted;
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof SQLException q ? q : new SQLException("draining: " + cause, "XX000", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while draining", "57014", e);
        } finally {
            queue.clear();
            pool.shutdownNow();
        }
    }

    /** Drains locations taken from {@code queue} until it is empty (or a location failed on another thread). */
    private long drain(java.util.Queue<ShardLocation> queue, RoutingState after) throws SQLException {
        try (ShardLinks own = new ShardLinks(engine.config())) {
            OldCopies copies = new OldCopies(own);
            long deleted = 0;
            for (ShardLocation l = queue.poll(); l != null; l = queue.poll()) {
                for (TableRule t : tables) {
                    migrator.keepLease();
                    deleted += copies.drain(l, t, after);
                }
            }
            return deleted;
        }
    }

    Duration lease() {
        return engine.options().lease();
    }

    ControlStore controlStore() {
        return engine.controlStore();
    }
}
