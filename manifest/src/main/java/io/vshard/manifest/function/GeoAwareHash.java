package io.vshard.manifest.function;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code geo_aware_hash(creator_id, region) % N}: each region owns a contiguous share of the N logical
 * shards in proportion to its weight, and XXH64 of the creator id places the creator inside its region's
 * share: {@code share.first + unsigned(XXH64(be64(creator_id))) mod share.count}. A region that is not in
 * the table, or a missing region, uses the declared default region's share.
 *
 * <p>Shares are allocated by the largest-remainder method in declaration order: each region first gets
 * {@code floor(N * w / W)} shards, then the remaining shards go one each to the largest fractional
 * remainders, ties broken by declaration order. Every region must end with at least one shard.
 */
public final class GeoAwareHash implements ShardFunction {
    private final int shardCount;
    private final List<RegionShare> shares;
    private final Map<String, RegionShare> byRegion;
    private final RegionShare defaultShare;

    /**
     * Builds the function.
     *
     * @param shardCount N
     * @param weights region → weight, in declaration order
     * @param defaultRegion the region whose share takes unknown regions; must be a key of {@code weights}
     * @throws IllegalArgumentException if a weight is not positive, a region gets no shard, or the default
     *     region is not declared
     */
    public GeoAwareHash(int shardCount, Map<String, Integer> weights, String defaultRegion) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, got " + shardCount);
        }
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("at least one region is required");
        }
        this.shardCount = shardCount;
        this.shares = allocate(shardCount, weights);
        Map<String, RegionShare> map = new LinkedHashMap<>();
        shares.forEach(s -> map.put(s.region(), s));
        this.byRegion = map;
        this.defaultShare = map.get(ShardKey.normalizeRegion(defaultRegion));
        if (defaultShare == null) {
            throw new IllegalArgumentException("default region '" + defaultRegion + "' is not in the region table");
        }
    }

    private static List<RegionShare> allocate(int n, Map<String, Integer> weights) {
        List<String> regions = new ArrayList<>();
        List<Integer> w = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Integer> e : weights.entrySet()) {
            if (e.getValue() == null || e.getValue() <= 0) {
                throw new IllegalArgumentException("region " + e.getKey() + " must have a positive weight");
            }
            regions.add(ShardKey.normalizeRegion(e.getKey()));
            w.add(e.getValue());
            total += e.getValue();
        }
        int[] counts = new int[regions.size()];
        long[] remainders = new long[regions.size()];
        int assigned = 0;
        for (int i = 0; i < counts.length; i++) {
            long scaled = (long) n * w.get(i);
            counts[i] = (int) (scaled / total);
            remainders[i] = scaled % total;
            assigned += counts[i];
        }
        final long[] rem = remainders;
        List<Integer> order = IntStream.range(0, counts.length)
                .boxed()
                .sorted(Comparator.<Integer>comparingLong(i -> -rem[i]).thenComparing(i -> i))
                .toList();
        for (int k = 0; assigned < n; k++, assigned++) {
            counts[order.get(k)]++;
        }
        List<RegionShare> out = new ArrayList<>();
        int first = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                throw new IllegalArgumentException("region " + regions.get(i) + " gets no shard of " + n
                        + "; raise its weight or the shard count");
            }
            out.add(new RegionShare(regions.get(i), w.get(i), first, counts[i]));
            first += counts[i];
        }
        return List.copyOf(out);
    }

    @Override
    public int shardCount() {
        return shardCount;
    }

    /** The shares in declaration order. */
    public List<RegionShare> shares() {
        return shares;
    }

    /** The share of the default region. */
    public RegionShare defaultShare() {
        return defaultShare;
    }

    /** The share that holds creators of {@code region} (the default share when unknown or {@code null}). */
    public RegionShare shareOf(String region) {
        RegionShare s = region == null ? null : byRegion.get(ShardKey.normalizeRegion(region));
        return s == null ? defaultShare : s;
    }

    @Override
    public int shardOf(ShardKey key) {
        RegionShare s = shareOf(key.region());
        long h = XxHash64.hashBigEndianLong(key.creatorId());
        return s.firstShard() + (int) Long.remainderUnsigned(h, s.shardCount());
    }

    @Override
    public boolean usesRegion() {
        return true;
    }

    @Override
    public String describe() {
        return "geo_aware_hash(creator_id, region) % " + shardCount;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeoAwareHash g
                && g.shardCount == shardCount
                && g.shares.equals(shares)
                && g.defaultShare.equals(defaultShare);
    }

    @Override
    public int hashCode() {
        return shardCount * 31 + shares.hashCode();
    }

    @Override
    public String toString() {
        return describe() + " " + shares + " default " + defaultShare.region();
    }
}
