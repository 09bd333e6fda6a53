package io.vshard.manifest.cohort;

/**
 * The unit of movement: the creators of one old-layout shard whose ids lie in {@code [firstCreator,
 * lastCreator]}. Ranges of one old shard's cohorts are disjoint and together cover every id.
 *
 * @param id the cohort number, 1-based, in move order (the test cohort is 1)
 * @param oldShard the logical shard under the old version
 * @param firstCreator first creator id, inclusive
 * @param lastCreator last creator id, inclusive
 * @param plannedRows the rows the plan expects it to hold
 * @param test whether this is the test cohort
 */
public record Cohort(int id, int oldShard, long firstCreator, long lastCreator, long plannedRows, boolean test) {

    /** Whether the cohort holds {@code creatorId} of old shard {@code shard}. */
    public boolean contains(int shard, long creatorId) {
        return shard == oldShard && creatorId >= firstCreator && creatorId <= lastCreator;
    }
}
