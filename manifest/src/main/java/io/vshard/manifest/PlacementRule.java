package io.vshard.manifest;

import java.util.Locale;

/**
 * Places a contiguous range of logical shards on one data source, one schema per shard, named by a
 * {@code printf} pattern with a single integer conversion (for example {@code shard_%03d}).
 *
 * @param firstShard first logical shard, inclusive
 * @param lastShard last logical shard, inclusive
 * @param dataSource the data source name
 * @param schemaPattern the schema name pattern
 */
public record PlacementRule(int firstShard, int lastShard, String dataSource, String schemaPattern) {

    /** Whether the rule covers {@code shard}. */
    public boolean covers(int shard) {
        return shard >= firstShard && shard <= lastShard;
    }

    /** The location of {@code shard}, which the rule must cover. */
    public ShardLocation locate(int shard) {
        return new ShardLocation(dataSource, String.format(Locale.ROOT, schemaPattern, shard));
    }

    /** The range as written in manifests: {@code 0-63}, or {@code 7} for one shard. */
    public String rangeText() {
        return firstShard == lastShard ? Integer.toString(firstShard) : firstShard + "-" + lastShard;
    }
}
