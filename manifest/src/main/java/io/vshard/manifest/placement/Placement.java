package io.vshard.manifest.placement;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.GeoAwareHash;
import io.vshard.manifest.function.RegionShare;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.window.WindowId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The placement function: the one place that decides where a row lives. The driver, the proxy, the
 * migrator and the verifier all call it; nothing else derives a route.
 *
 * <p>The rule (DESIGN.md, "Placement"): with no migration, a row lives where the active manifest puts it.
 * During a migration, a ledger row (a table with a window column) whose window is at or after the next
 * version's effective window lives under the next version; every other row lives under the next version
 * once its cohort (old shard + creator-id range) is served by the new layout, else under the active one.
 * When the statement does not supply the window, or a geo-aware layout is not given the region, the row
 * may sit in several places and all of them are candidates.
 *
 * <p>Pure: the result depends only on the arguments.
 */
public final class Placement {
    private Placement() {}

    /**
     * Locates a row of a sharded table.
     *
     * @param state the routing state
     * @param table the table's rule, which must be sharded
     * @param key the creator id and region (region may be {@code null})
     * @param window the row's window for a ledger table, or {@code null} when unknown (reads) or not a ledger
     * @return the candidates, the write target and whether writes are held
     */
    public static Place locate(RoutingState state, TableRule table, ShardKey key, WindowId window) {
        Manifest active = state.active();
        Manifest next = state.next();
        List<LogicalShard> activeShards = shardsOf(active, key);
        if (next == null) {
            return new Place(activeShards, single(activeShards), false, 0);
        }
        // Cohorts are defined on the active layout, which never needs the region (old shard per candidate).
        Set<LogicalShard> candidates = new LinkedHashSet<>();
        LogicalShard write = null;
        boolean held = false;
        int cohortId = 0;
        List<LogicalShard> nextShards = shardsOf(next, key);
        boolean ledgerOnNext = table.windowed() && state.ledgerOnNext() && next.effectiveWindow() != null;
        if (ledgerOnNext && window != null && window.compareTo(next.effectiveWindow()) >= 0) {
            return new Place(nextShards, single(nextShards), false, 0);
        }
        if (activeShards.size() == 1 && nextShards.size() == 1) {
            return locateOne(state, key, activeShards.get(0), nextShards.get(0), ledgerOnNext && window == null);
        }
        for (LogicalShard old : activeShards) {
            Cohort cohort = state.cohorts().cohortOf(old.shard(), key.creatorId());
            CohortState cs = state.cohorts().stateOf(cohort);
            if (cohort != null) {
                cohortId = cohort.id();
            }
            held |= cs.writesHeld();
            if (cs.servedByNew()) {
                candidates.addAll(nextShards);
            } else {
                candidates.add(old);
            }
        }
        List<LogicalShard> cohortPlace = new ArrayList<>(candidates);
        if (cohortPlace.size() == 1) {
            write = cohortPlace.get(0);
        }
        if (ledgerOnNext && window == null) {
            candidates.addAll(nextShards);
            write = null;
        }
        return new Place(new ArrayList<>(candidates), write, held, cohortId);
    }

    /**
     * {@link #locate} for a key with one shard under each version (the commonest case: every point read and
     * write names its region), without the general case's sets: the same candidates in the same order.
     */
    private static Place locateOne(
            RoutingState state, ShardKey key, LogicalShard old, LogicalShard next, boolean bothVersions) {
        Cohort cohort = state.cohorts().cohortOf(old.shard(), key.creatorId());
        CohortState cs = state.cohorts().stateOf(cohort);
        int cohortId = cohort == null ? 0 : cohort.id();
        LogicalShard place = cs.servedByNew() ? next : old;
        if (!bothVersions) {
            return new Place(List.of(place), place, cs.writesHeld(), cohortId);
        }
        List<LogicalShard> candidates = place.equals(next) ? List.of(place) : List.of(place, next);
        return new Place(candidates, null, cs.writesHeld(), cohortId);
    }

    /**
     * The one logical shard of {@code m} that {@code key} names, or {@code null} when a key without a region
     * names one shard per region ({@link #shardsOf}); the same instance as {@code shardsOf} returns.
     */
    public static LogicalShard onlyShardOf(Manifest m, ShardKey key) {
        if (key.region() == null && m.shardFunction() instanceof GeoAwareHash) {
            return null;
        }
        return m.logicalShard(m.shardOf(key));
    }

    /**
     * The logical shards of {@code key} under one manifest: one, or for a geo-aware layout without a region,
     * the creator's shard in every region's share.
     */
    public static List<LogicalShard> shardsOf(Manifest m, ShardKey key) {
        if (key.region() == null && m.shardFunction() instanceof GeoAwareHash g) {
            List<LogicalShard> out = new ArrayList<>();
            for (RegionShare share : g.shares()) {
                int shard = g.shardOf(ShardKey.of(key.creatorId(), share.region()));
                out.add(m.logicalShard(shard));
            }
            return out;
        }
        return List.of(m.logicalShard(m.shardOf(key)));
    }

    /** Every logical shard of the live versions, active first: where DDL and scatter reads go. */
    public static List<LogicalShard> allShards(RoutingState state) {
        List<LogicalShard> out = new ArrayList<>();
        addAll(out, state.active());
        if (state.next() != null) {
            addAll(out, state.next());
        }
        return out;
    }

    private static void addAll(List<LogicalShard> out, Manifest m) {
        for (int s = 0; s < m.shardCount(); s++) {
            out.add(new LogicalShard(m.version(), s, m.locate(s)));
        }
    }

    private static LogicalShard single(List<LogicalShard> shards) {
        return shards.size() == 1 ? shards.get(0) : null;
    }
}
