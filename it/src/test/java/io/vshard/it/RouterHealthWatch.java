package io.vshard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Watches {@code SHOW SHARD HEALTH} through a connection to the one router of a fleet until a heartbeat has reported
 * an error rate and a p95 latency at least as high as wanted; heartbeats may report a test's failures and its slow
 * statement apart, so the highest of each is kept.
 *
 * @param errorRate the highest error rate reported
 * @param p95Millis the highest p95 latency reported, in milliseconds
 */
public record RouterHealthWatch(double errorRate, long p95Millis) {
    /**
     * Watches for at most 15 s; each report must come from a router of {@code kind}, name {@code dataSource} as the
     * worst one whenever it reports any failure or a p95 of {@code p95Millis}, and judge it {@code ok}.
     */
    public static RouterHealthWatch until(
            Connection c, String kind, String dataSource, double errorRate, long p95Millis)
            throws SQLException, InterruptedException {
        double rate = 0;
        long p95 = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try (Statement st = c.createStatement()) {
            while ((rate < errorRate || p95 < p95Millis) && System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SHOW SHARD HEALTH")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("kind")).isEqualTo(kind);
                    if (rs.getDouble("error_rate") > 0 || rs.getLong("p95_ms") >= p95Millis) {
                        assertThat(rs.getString("worst_data_source")).isEqualTo(dataSource);
                    }
                    rate = Math.max(rate, rs.getDouble("error_rate"));
                    p95 = Math.max(p95, rs.getLong("p95_ms"));
                    assertThat(rs.getString("verdict")).isEqualTo("ok");
                    assertThat(rs.next()).as("one router").isFalse();
                }
                Thread.sleep(100);
            }
        }
        return new RouterHealthWatch(rate, p95);
    }
}
