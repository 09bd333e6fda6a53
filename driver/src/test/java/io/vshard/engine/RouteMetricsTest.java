package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The per-shard latency histogram as Prometheus reads it: cumulative buckets, +Inf equal to the count. */
class RouteMetricsTest {
    private static final LogicalShard SHARD = new LogicalShard(1, 7, new ShardLocation("db_a", "shard_007"));

    @Test
    void bucketsAreCumulativeAndTheCountTakesStatementsPastTheLastBound() {
        RouteMetrics m = new RouteMetrics();
        m.shardStatement(SHARD, 100_000L); // 0.1 ms
        m.shardStatement(SHARD, 3_000_000L); // 3 ms
        m.shardStatement(SHARD, 500_000_000L); // 0.5 s: on the bound, counted in it
        m.shardStatement(SHARD, 12_000_000_000L); // 12 s: past 5 s, only in +Inf
        StringBuilder out = new StringBuilder();
        m.writePrometheus(out);
        String text = out.toString();
        assertThat(bucket(text, "0.0005")).isEqualTo(1);
        assertThat(bucket(text, "0.001")).isEqualTo(1);
        assertThat(bucket(text, "0.005")).isEqualTo(2);
        assertThat(bucket(text, "0.1")).isEqualTo(2);
        assertThat(bucket(text, "0.5")).isEqualTo(3);
        assertThat(bucket(text, "5")).isEqualTo(3);
        assertThat(bucket(text, "+Inf")).isEqualTo(4);
        assertThat(value(text, "vshard_shard_statement_seconds_count\\{[^}]*\\} (\\d+)"))
                .isEqualTo(4);
        assertThat(text).contains("vshard_shard_statement_seconds_sum{shard=").contains("12.503100");
    }

    private static long bucket(String text, String le) {
        return value(text, "vshard_shard_statement_seconds_bucket\\{[^}]*le=\"" + Pattern.quote(le) + "\"\\} (\\d+)");
    }

    private static long value(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in%n%s", regex, text).isTrue();
        return Long.parseLong(m.group(1));
    }
}
