package io.vshard.manifest.function;

/**
 * A deterministic, pure function from shard-key values to a logical shard number in {@code [0, shardCount)}.
 * Implementations are specified byte for byte (see the module README) so any language can reproduce a route.
 */
public sealed interface ShardFunction permits ModHash, GeoAwareHash {

    /** The number of logical shards, the modulus. */
    int shardCount();

    /** The logical shard of {@code key}; never throws for any key. */
    int shardOf(ShardKey key);

    /** Whether the function reads {@code region}; a statement must then supply it to pin a shard. */
    boolean usesRegion();

    /** A short human-readable description, for example {@code identity(creator_id) % 64}. */
    String describe();
}
