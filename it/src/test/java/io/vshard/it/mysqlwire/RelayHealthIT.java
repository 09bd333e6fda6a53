package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.it.RouterHealthWatch;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the MySQL proxy relays straight to a backend count in the router's health as the engine's statements do:
 * the manifest's health triggers, and {@code SHOW SHARD HEALTH}, see their latency and errors.
 */
class RelayHealthIT {
    private static final int ID = 5;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture("connectTimeout=2000", UnaryOperator.identity(), Duration.ofMillis(500));
        proxy.createSbtest(8);
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        assertThat(LeakCounter.leaks()).as("netty buffer leaks").isZero();
    }

    @Test
    void relayedReadsFeedTheRoutersHealth() throws Exception {
        String dataSource;
        try (Connection c = proxy.app("");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("EXPLAIN ROUTE SELECT c FROM sbtest1 WHERE id = " + ID)) {
            assertThat(rs.next()).isTrue();
            dataSource = rs.getString("location").startsWith("my_a") ? "my_a" : "my_b";
            assertThat(rs.getString("location")).startsWith(dataSource);
        }
        // Past the next heartbeat, so the set-up's statements are reported apart from the five below.
        Thread.sleep(700);
        long relayedBefore = proxy.server.relayCounts().relayed();
        try (Connection c = proxy.app("");
                Statement st = c.createStatement()) {
            for (int i = 0; i < 4; i++) {
                assertThatThrownBy(() -> st.executeQuery("SELECT no_such_column FROM sbtest1 WHERE id = " + ID))
                        .extracting(e -> ((SQLException) e).getSQLState())
                        .isEqualTo("42S22");
            }
            try (ResultSet rs = st.executeQuery("SELECT SLEEP(0.4), c FROM sbtest1 WHERE id = " + ID)) {
                assertThat(rs.next()).isTrue();
            }
        }
        // All five were relayed to the backend, not run through the engine.
        assertThat(proxy.server.relayCounts().relayed() - relayedBefore).isEqualTo(5);

        // Heartbeats every 500 ms: the failures and the slow read may land in different ones; 4 of 5 failed.
        RouterHealthWatch seen;
        try (Connection c = proxy.app("")) {
            seen = RouterHealthWatch.until(c, "mysql-proxy", dataSource, 0.8, 400);
        }
        assertThat(seen.errorRate()).as("error rate the router reported").isGreaterThanOrEqualTo(0.8);
        assertThat(seen.p95Millis()).as("p95 the router reported, ms").isGreaterThanOrEqualTo(400);
    }
}
