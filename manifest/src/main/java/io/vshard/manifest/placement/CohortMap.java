package io.vshard.manifest.placement;

import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cohorts of a migration with their states, indexed for lookup by (old shard, creator id). Immutable
 * and thread safe; a router swaps in a new map when it refreshes its view. A creator in no cohort is
 * {@link CohortState#PLANNED}.
 */
public final class CohortMap {
    /** No migration: every creator is where the active version puts it. */
    public static final CohortMap EMPTY = new CohortMap(List.of(), Map.of());

    private final List<Cohort> cohorts;
    private final Map<Integer, CohortState> states;
    private final Map<Integer, Cohort[]> byShard = new HashMap<>();

    /**
     * Builds the map.
     *
     * @param cohorts the planned cohorts
     * @param states cohort id → state; a cohort missing here is PLANNED
     */
    public CohortMap(List<Cohort> cohorts, Map<Integer, CohortState> states) {
        this.cohorts = List.copyOf(cohorts);
        this.states = Map.copyOf(states);
        Map<Integer, List<Cohort>> grouped = new HashMap<>();
        for (Cohort c : cohorts) {
            grouped.computeIfAbsent(c.oldShard(), k -> new ArrayList<>()).add(c);
        }
        grouped.forEach((shard, list) -> {
            list.sort((a, b) -> Long.compare(a.firstCreator(), b.firstCreator()));
            byShard.put(shard, list.toArray(new Cohort[0]));
        });
    }

    /** The cohort holding {@code creatorId} of old shard {@code oldShard}, or {@code null}. */
    public Cohort cohortOf(int oldShard, long creatorId) {
        Cohort[] list = byShard.get(oldShard);
        if (list == null) {
            return null;
        }
        int lo = 0;
        int hi = list.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Cohort c = list[mid];
            if (creatorId < c.firstCreator()) {
                hi = mid - 1;
            } else if (creatorId > c.lastCreator()) {
                lo = mid + 1;
            } else {
                return c;
            }
        }
        return null;
    }

    /** The state of a cohort. */
    public CohortState stateOf(Cohort cohort) {
        return cohort == null ? CohortState.PLANNED : states.getOrDefault(cohort.id(), CohortState.PLANNED);
    }

    /** Every cohort in move order. */
    public List<Cohort> cohorts() {
        return cohorts;
    }

    /** This map with one cohort's state changed. */
    public CohortMap with(int cohortId, CohortState state) {
        Map<Integer, CohortState> s = new HashMap<>(states);
        s.put(cohortId, state);
        return new CohortMap(cohorts, s);
    }
}
