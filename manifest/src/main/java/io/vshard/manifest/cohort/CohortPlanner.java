package io.vshard.manifest.cohort;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans cohorts from per-old-shard creator samples. Hottest old shards (most rows) move first; the first
 * cohort, the test cohort, is a small slice of the hottest shard. Each shard's cohorts are contiguous
 * creator-id ranges that together cover the whole id space, so a creator first seen after planning still
 * belongs to exactly one cohort. Pure and deterministic: ties break on the lower shard number.
 */
public final class CohortPlanner {
    private CohortPlanner() {}

    /**
     * Plans the cohorts.
     *
     * @param rowsByCreatorPerShard old shard → (creator id → row count); creators in ascending id order
     * @param targetRows rows a cohort should hold
     * @param testRows rows of the test cohort
     * @return the cohorts in move order, numbered from 1
     */
    public static List<Cohort> plan(
            Map<Integer, ? extends Map<Long, Long>> rowsByCreatorPerShard, long targetRows, long testRows) {
        if (targetRows < 1 || testRows < 1) {
            throw new IllegalArgumentException("cohort sizes must be positive");
        }
        List<Integer> shards = new ArrayList<>(rowsByCreatorPerShard.keySet());
        shards.sort(Comparator.<Integer>comparingLong(s -> -total(rowsByCreatorPerShard.get(s)))
                .thenComparing(s -> s));
        List<Cohort> out = new ArrayList<>();
        boolean first = true;
        for (int shard : shards) {
            TreeMap<Long, Long> creators = new TreeMap<>(rowsByCreatorPerShard.get(shard));
            long start = Long.MIN_VALUE;
            long rows = 0;
            long limit = first ? testRows : targetRows;
            for (Map.Entry<Long, Long> e : creators.entrySet()) {
                rows += e.getValue();
                if (rows >= limit && e.getKey() != Long.MAX_VALUE && creators.higherKey(e.getKey()) != null) {
                    out.add(new Cohort(out.size() + 1, shard, start, e.getKey(), rows, first));
                    first = false;
                    limit = targetRows;
                    start = e.getKey() + 1;
                    rows = 0;
                }
            }
            out.add(new Cohort(out.size() + 1, shard, start, Long.MAX_VALUE, rows, first));
            first = false;
        }
        return List.copyOf(out);
    }

    private static long total(Map<Long, Long> rows) {
        long t = 0;
        for (long r : rows.values()) {
            t += r;
        }
        return t;
    }
}
