package io.vshard.manifest.placement;

import io.vshard.manifest.ShardLocation;
import java.util.Objects;

/**
 * A logical shard of one manifest version and where it lives.
 *
 * @param version the manifest version
 * @param shard the logical shard number under that version
 * @param location the data source and schema
 */
public record LogicalShard(int version, int shard, ShardLocation location) {
    // Written out: shards key the engine's per-shard maps on every statement, where the generated forms (a
    // method handle call each) showed in profiles. A manifest hands out one instance per shard, so the identity
    // test usually decides.
    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof LogicalShard l
                        && version == l.version
                        && shard == l.shard
                        && Objects.equals(location, l.location);
    }

    @Override
    public int hashCode() {
        return (31 * version + shard) * 31 + Objects.hashCode(location);
    }

    @Override
    public String toString() {
        return "v" + version + ":" + shard + "@" + location;
    }
}
