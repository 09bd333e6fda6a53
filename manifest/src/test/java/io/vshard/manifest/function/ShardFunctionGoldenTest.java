package io.vshard.manifest.function;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.Golden;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pins the hash and both shard functions to vectors produced independently with the reference xxhsum. */
class ShardFunctionGoldenTest {

    static GeoAwareHash scenarioV2() {
        Map<String, Integer> w = new LinkedHashMap<>();
        w.put("APAC", 60);
        w.put("NA", 20);
        w.put("EMEA", 15);
        w.put("LATAM", 5);
        return new GeoAwareHash(128, w, "NA");
    }

    @Test
    void xxh64MatchesReferenceVectors() {
        List<String[]> rows = Golden.rows("xxh64.tsv");
        assertThat(rows).hasSizeGreaterThanOrEqualTo(6);
        for (String[] r : rows) {
            byte[] input = r[0].equals("-") ? new byte[0] : HexFormat.of().parseHex(r[0]);
            assertThat(HexFormat.of().toHexDigits(XxHash64.hash(input)))
                    .as(r[0])
                    .isEqualTo(r[1]);
        }
    }

    @Test
    void modHashMatchesVectors() {
        for (String[] r : Golden.rows("mod_hash.tsv")) {
            long id = Long.parseLong(r[0]);
            assertThat(new ModHash(KeyHash.IDENTITY, 64).shardOf(ShardKey.of(id)))
                    .isEqualTo(Integer.parseInt(r[1]));
            assertThat(HexFormat.of().toHexDigits(XxHash64.hashBigEndianLong(id)))
                    .isEqualTo(r[2]);
            assertThat(new ModHash(KeyHash.XXH64, 64).shardOf(ShardKey.of(id))).isEqualTo(Integer.parseInt(r[3]));
            assertThat(new ModHash(KeyHash.XXH64, 128).shardOf(ShardKey.of(id))).isEqualTo(Integer.parseInt(r[4]));
        }
    }

    @Test
    void geoAwareHashMatchesVectors() {
        GeoAwareHash g = scenarioV2();
        assertThat(g.shares())
                .extracting(RegionShare::firstShard, RegionShare::shardCount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0, 77),
                        org.assertj.core.groups.Tuple.tuple(77, 26),
                        org.assertj.core.groups.Tuple.tuple(103, 19),
                        org.assertj.core.groups.Tuple.tuple(122, 6));
        List<String[]> rows = Golden.rows("geo_aware_hash.tsv");
        assertThat(rows).hasSizeGreaterThan(50);
        for (String[] r : rows) {
            String region = r[1].equals("-") ? null : r[1];
            assertThat(g.shardOf(ShardKey.of(Long.parseLong(r[0]), region)))
                    .as("%s/%s", r[0], r[1])
                    .isEqualTo(Integer.parseInt(r[2]));
        }
    }

    @Test
    void keyRoutesTheSameAsTextIntegerOrDecimal() {
        assertThat(ShardKey.creatorIdOf("1000045")).isEqualTo(1_000_045L);
        assertThat(ShardKey.creatorIdOf(" 1000045 ")).isEqualTo(1_000_045L);
        assertThat(ShardKey.creatorIdOf(1_000_045)).isEqualTo(1_000_045L);
        assertThat(ShardKey.creatorIdOf(new java.math.BigDecimal("1000045.000")))
                .isEqualTo(1_000_045L);
        assertThat(ShardKey.creatorIdOf(1_000_045.0d)).isEqualTo(1_000_045L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShardKey.creatorIdOf("12.5"))
                .isInstanceOf(InvalidShardKeyException.class)
                .hasMessageContaining("12.5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShardKey.creatorIdOf(null))
                .isInstanceOf(InvalidShardKeyException.class)
                .hasMessageContaining("NULL");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShardKey.creatorIdOf("99999999999999999999"))
                .isInstanceOf(InvalidShardKeyException.class);
    }

    @Test
    void regionsAreNormalised() {
        GeoAwareHash g = scenarioV2();
        assertThat(g.shardOf(ShardKey.of(42, " apac "))).isEqualTo(g.shardOf(ShardKey.of(42, "APAC")));
        assertThat(g.shardOf(ShardKey.of(42, "MARS"))).isEqualTo(g.shardOf(ShardKey.of(42, "NA")));
    }
}
