package io.vshard.demo;

/**
 * The demo's final report; {@link #json()} is the one-line JSON object {@code vshard demo --json} prints last.
 *
 * @param creators creators loaded
 * @param payments payments loaded (before the live writes)
 * @param shardsBefore logical shards of v1
 * @param shardsAfter logical shards of v2
 * @param maxOverMeanBefore busiest shard's creators over the mean, under v1
 * @param maxOverMeanAfter busiest shard's creators over the mean, under v2 after the migration
 * @param digestChecks digest checks that matched
 * @param digestMismatches digest checks that did not
 * @param writesAcknowledged rows the shards acknowledged: loaded rows plus live writes
 * @param liveWrites payments written by the live writers and acknowledged
 * @param rowsStored rows found by reading every shard directly
 * @param lost acknowledged rows found nowhere
 * @param duplicated extra copies found
 * @param rolledBack whether the run rolled the migration back once and restarted it
 * @param elapsedMillis wall time of the whole run
 */
public record DemoReport(
        long creators,
        long payments,
        int shardsBefore,
        int shardsAfter,
        double maxOverMeanBefore,
        double maxOverMeanAfter,
        long digestChecks,
        long digestMismatches,
        long writesAcknowledged,
        long liveWrites,
        long rowsStored,
        long lost,
        long duplicated,
        boolean rolledBack,
        long elapsedMillis) {

    /** The report as one line of JSON. */
    public String json() {
        return new JsonText()
                .begin()
                .field("creators", creators)
                .field("payments", payments)
                .field("shards_before", shardsBefore)
                .field("shards_after", shardsAfter)
                .field("max_over_mean_before", maxOverMeanBefore)
                .field("max_over_mean_after", maxOverMeanAfter)
                .field("digest_checks", digestChecks)
                .field("digest_mismatches", digestMismatches)
                .field("writes_acknowledged", writesAcknowledged)
                .field("live_writes", liveWrites)
                .field("rows_stored", rowsStored)
                .field("lost", lost)
                .field("duplicated", duplicated)
                .field("rolled_back", rolledBack)
                .field("elapsed_ms", elapsedMillis)
                .end()
                .toString();
    }

    /** The busiest shard over the mean of {@code perShard}. */
    public static double maxOverMean(long[] perShard) {
        long max = 0;
        long sum = 0;
        for (long n : perShard) {
            max = Math.max(max, n);
            sum += n;
        }
        return sum == 0 ? 0 : max / ((double) sum / perShard.length);
    }
}
