package io.vshard.manifest.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.Golden;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.function.GeoAwareHash;
import io.vshard.manifest.function.RegionShare;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.window.WindowId;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** v1 over the scenario dataset reproduces the skew; v2 spreads it. */
class ScenarioSkewProperties {

    @Property(tries = 5)
    void v1PilesApacOntoShards45To54(@ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Manifest v1 = Golden.manifest("v1.yaml");
        ScenarioDataset data = new ScenarioDataset(seed, 50_000, 0, WindowId.parse("2027_W01"), 1);
        long apac = 0;
        long apacHot = 0;
        long[] load = new long[64];
        for (Creator c : data.creators()) {
            int s = v1.shardOf(ShardKey.of(c.id(), c.region()));
            load[s]++;
            if (c.region().equals("APAC")) {
                apac++;
                apacHot += s >= 45 && s <= 54 ? 1 : 0;
            }
        }
        assertThat((double) apac / 50_000).isBetween(0.58, 0.62);
        assertThat(apacHot).isEqualTo(apac);
        long hot = 0;
        for (int s = 45; s <= 54; s++) {
            hot += load[s];
            // every hot shard carries more than three times the mean of 50,000 / 64 creators
            assertThat(load[s]).isGreaterThan(3 * 50_000 / 64);
        }
        assertThat((double) hot / 50_000).isGreaterThan(0.55);
    }

    @Test
    void v2SpreadsAMillionCreators() {
        Manifest v2 = Golden.manifest("v2.yaml");
        GeoAwareHash g = (GeoAwareHash) v2.shardFunction();
        ScenarioDataset data = new ScenarioDataset(7, 1_000_000, 0, WindowId.parse("2027_W01"), 1);
        long[] load = new long[128];
        Map<String, Long> perRegion = new HashMap<>();
        for (Creator c : data.creators()) {
            load[v2.shardOf(ShardKey.of(c.id(), c.region()))]++;
            perRegion.merge(c.region(), 1L, Long::sum);
        }
        double worstExpectation = 0;
        for (RegionShare share : g.shares()) {
            long sum = 0;
            long max = 0;
            for (int s = share.firstShard(); s < share.firstShard() + share.shardCount(); s++) {
                sum += load[s];
                max = Math.max(max, load[s]);
            }
            double mean = (double) sum / share.shardCount();
            assertThat(sum).isEqualTo(perRegion.get(share.region()));
            assertThat(max).as(share.region()).isLessThanOrEqualTo((long) (1.10 * mean));
            worstExpectation = Math.max(worstExpectation, mean);
        }
        long max = 0;
        for (long l : load) {
            max = Math.max(max, l);
        }
        // the busiest shard overall is no busier than the busiest region's expectation allows
        assertThat((double) max).isLessThanOrEqualTo(1.10 * worstExpectation);
    }

    @Property(tries = 20)
    void generationIsDeterministic(@ForAll long seed, @ForAll @LongRange(min = 0, max = 999) long k) {
        ScenarioDataset a = new ScenarioDataset(seed, 1000, 1000, WindowId.parse("2027_W01"), 4);
        ScenarioDataset b = new ScenarioDataset(seed, 1000, 1000, WindowId.parse("2027_W01"), 4);
        assertThat(a.creator(k)).isEqualTo(b.creator(k));
        assertThat(a.payment(k)).isEqualTo(b.payment(k));
        assertThat(a.payment(k).window().compareTo(WindowId.parse("2027_W01"))).isGreaterThanOrEqualTo(0);
        assertThat(WindowId.containing(a.payment(k).createdAt()))
                .isEqualTo(a.payment(k).window());
    }

    @Test
    void creatorIdsAreUnique() {
        ScenarioDataset data = new ScenarioDataset(3, 200_000, 0, WindowId.parse("2027_W01"), 1);
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (Creator c : data.creators()) {
            assertThat(ids.add(c.id())).isTrue();
        }
    }
}
