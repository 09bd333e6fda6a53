package io.vshard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardMeterTest {
    private static final long HALF_SECOND = 500_000_000L;

    private static LogicalShard shard(int s) {
        return new LogicalShard(1, s, new ShardLocation("db", "shard_" + s));
    }

    /** 100 operations per sample: 60 on shards 45-54, the other 40 one each on the cool shards in turn. */
    private static int traffic(ShardMeter meter, int from, int samples, int cool) {
        for (int n = from; n < from + samples; n++) {
            for (int s = 45; s <= 54; s++) {
                for (int i = 0; i < 6; i++) {
                    meter.write(shard(s), 1_000_000);
                }
            }
            for (int i = 0; i < 40; i++) {
                int s = cool++ % 54;
                meter.read(shard(s < 45 ? s : s + 10), 1_000_000);
            }
            meter.sample(n * HALF_SECOND);
        }
        return cool;
    }

    private static double ratio(Map<Long, ShardMeter.Reading> r, int shard) {
        double total = r.values().stream()
                .mapToDouble(ShardMeter.Reading::opsPerSecond)
                .sum();
        return r.get(ShardMeter.key(1, shard)).opsPerSecond() / (total / 64);
    }

    @Test
    void slowTrafficWidensTheWindowSoABurstOnACoolShardDoesNotLookHot() {
        ShardMeter meter = new ShardMeter();
        int cool = traffic(meter, 0, 100, 0);
        for (int i = 0; i < 80; i++) {
            meter.read(shard(32), 1_000_000);
        }
        traffic(meter, 100, 1, cool);
        Map<Long, ShardMeter.Reading> r = meter.readings();

        // 100 ops a sample: 3,000 operations take 30 samples, 15 seconds; shard 45 had 6 a sample.
        assertThat(r.get(ShardMeter.key(1, 45)).opsPerSecond())
                .isCloseTo(12.0, org.assertj.core.data.Offset.offset(0.01));
        for (int s = 45; s <= 54; s++) {
            assertThat(ratio(r, s)).as("shard %d", s).isGreaterThan(3.5);
        }
        for (int s = 0; s < 64; s++) {
            if (s < 45 || s > 54) {
                // The dashboard calls a shard hot at 2.5 times the balanced share; over ten seconds (2,080
                // operations) the burst would put shard 32 at 2.9.
                assertThat(ratio(r, s)).as("shard %d", s).isLessThan(s == 32 ? 2.5 : 1.0);
            }
        }
    }

    @Test
    void busyTrafficKeepsTheShortWindowSoTheMapFollowsAChangeWithinTenSeconds() {
        ShardMeter meter = new ShardMeter();
        long t = 0;
        for (int n = 0; n < 60; n++) {
            for (int i = 0; i < 400; i++) {
                meter.write(shard(n < 40 ? 45 : 3), 1_000_000);
            }
            meter.sample(t);
            t += HALF_SECOND;
        }
        Map<Long, ShardMeter.Reading> r = meter.readings();
        // The last 20 samples (10 s) went to shard 3 only: 8,000 operations, enough for the shortest window.
        assertThat(r.get(ShardMeter.key(1, 45)).opsPerSecond()).isZero();
        assertThat(r.get(ShardMeter.key(1, 3)).opsPerSecond())
                .isCloseTo(800.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.get(ShardMeter.key(1, 3)).writes()).isEqualTo(8_000);
    }
}
