package io.vshard.manifest.placement;

import io.vshard.manifest.ShardLocation;

/**
 * A logical shard of one manifest version and where it lives.
 *
 * @param version the manifest version
 * @param shard the logical shard number under that version
 * @param location the data source and schema
 */
public record LogicalShard(int version, int shard, ShardLocation location) {
    @Override
    public String toString() {
        return "v" + version + ":" + shard + "@" + location;
    }
}
