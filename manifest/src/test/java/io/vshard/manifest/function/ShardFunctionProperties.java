package io.vshard.manifest.function;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Shard functions are total and deterministic, and a geo-aware key stays inside its region's share. */
class ShardFunctionProperties {

    @Property
    void modHashIsTotalAndDeterministic(@ForAll long id, @ForAll @IntRange(min = 1, max = 4096) int n) {
        for (KeyHash h : KeyHash.values()) {
            ModHash f = new ModHash(h, n);
            int s = f.shardOf(ShardKey.of(id));
            assertThat(s).isBetween(0, n - 1);
            assertThat(new ModHash(h, n).shardOf(ShardKey.of(id))).isEqualTo(s);
        }
    }

    @Property
    void geoAwareStaysInItsRegionsShare(@ForAll long id, @ForAll("regions") String region) {
        GeoAwareHash g = ShardFunctionGoldenTest.scenarioV2();
        int s = g.shardOf(ShardKey.of(id, region));
        assertThat(s).isBetween(0, 127);
        assertThat(g.shareOf(region).contains(s)).isTrue();
        assertThat(ShardFunctionGoldenTest.scenarioV2().shardOf(ShardKey.of(id, region)))
                .isEqualTo(s);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> regions() {
        return net.jqwik.api.Arbitraries.of("APAC", "NA", "EMEA", "LATAM", "apac", "MARS", "");
    }

    @Property
    void sharesCoverEveryShardOnce(
            @ForAll @IntRange(min = 4, max = 1024) int n,
            @ForAll @IntRange(min = 1, max = 100) int a,
            @ForAll @IntRange(min = 1, max = 100) int b,
            @ForAll @IntRange(min = 1, max = 100) int c) {
        java.util.Map<String, Integer> w = new java.util.LinkedHashMap<>();
        w.put("A", a);
        w.put("B", b);
        w.put("C", c);
        GeoAwareHash g;
        try {
            g = new GeoAwareHash(n, w, "A");
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageContaining("gets no shard");
            return;
        }
        int next = 0;
        for (RegionShare s : g.shares()) {
            assertThat(s.firstShard()).isEqualTo(next);
            assertThat(s.shardCount()).isPositive();
            // largest remainder: never more than one shard off the exact proportion
            double exact = (double) n * s.weight() / (a + b + c);
            assertThat((double) s.shardCount()).isBetween(Math.floor(exact), Math.ceil(exact) + 0.0);
            next += s.shardCount();
        }
        assertThat(next).isEqualTo(n);
    }
}
