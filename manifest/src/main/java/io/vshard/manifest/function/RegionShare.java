package io.vshard.manifest.function;

/**
 * The contiguous run of logical shards a region owns in a geo-aware layout.
 *
 * @param region the region code (upper case)
 * @param weight the declared weight
 * @param firstShard the first logical shard of the share
 * @param shardCount how many shards the share holds, at least 1
 */
public record RegionShare(String region, int weight, int firstShard, int shardCount) {

    /** Whether {@code shard} lies in this share. */
    public boolean contains(int shard) {
        return shard >= firstShard && shard < firstShard + shardCount;
    }
}
