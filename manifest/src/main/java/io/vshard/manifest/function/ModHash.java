package io.vshard.manifest.function;

/**
 * {@code mod_hash(creator_id) % N}. With {@link KeyHash#IDENTITY} the shard is {@code floorMod(creator_id, N)};
 * with {@link KeyHash#XXH64} it is {@code unsigned(XXH64(be64(creator_id))) mod N}.
 *
 * @param hash how the id is hashed
 * @param shardCount N, at least 1
 */
public record ModHash(KeyHash hash, int shardCount) implements ShardFunction {

    public ModHash {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, got " + shardCount);
        }
    }

    @Override
    public int shardOf(ShardKey key) {
        return switch (hash) {
            case IDENTITY -> (int) Math.floorMod(key.creatorId(), (long) shardCount);
            case XXH64 -> (int) Long.remainderUnsigned(XxHash64.hashBigEndianLong(key.creatorId()), shardCount);
        };
    }

    @Override
    public boolean usesRegion() {
        return false;
    }

    @Override
    public String describe() {
        return hash.manifestName() + "(creator_id) % " + shardCount;
    }
}
