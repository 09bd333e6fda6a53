package io.vshard.manifest.placement;

import java.util.List;

/**
 * Where a row with given shard-key values lives.
 *
 * @param candidates every logical shard that may hold the row (reads fan out to all of them, merged); one
 *     when the key pins the row
 * @param writeTarget the one shard a write goes to, or {@code null} when the key does not pin one (a region
 *     missing under a geo-aware layout, or a ledger row without its window)
 * @param writesHeld whether the row's cohort is fenced: writes must wait or fail retryably
 * @param cohortId the cohort of the row under a migration, or 0
 */
public record Place(List<LogicalShard> candidates, LogicalShard writeTarget, boolean writesHeld, int cohortId) {
    public Place {
        candidates = List.copyOf(candidates);
    }
}
