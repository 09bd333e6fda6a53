package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.it.RouterHealthWatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statements the proxy forwards at the wire level (its direct path) count in the router's health as the engine's
 * statements do: the manifest's health triggers, and {@code SHOW SHARD HEALTH}, see their latency and errors.
 */
class DirectPathHealthIT {
    private static final long CREATOR = 7;
    private static ShardedProxy fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new ShardedProxy("", Duration.ofMillis(500));
        try (Connection c = fleet.admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id bigserial PRIMARY KEY, creator_id bigint NOT NULL,"
                    + " amount numeric(12,2))");
            st.execute("INSERT INTO payments (creator_id, amount) VALUES (" + CREATOR + ", 10)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fleet.close();
    }

    @Test
    void directReadsFeedTheRoutersHealth() throws Exception {
        String dataSource;
        try (Connection c = fleet.admin();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("EXPLAIN ROUTE SELECT amount FROM payments WHERE creator_id = " + CREATOR)) {
            assertThat(rs.next()).isTrue();
            dataSource = rs.getString("location").startsWith("pg_a") ? "pg_a" : "pg_b";
            assertThat(rs.getString("location")).startsWith(dataSource);
        }
        // Past the next heartbeat, so the set-up's statements are reported apart from the five below.
        Thread.sleep(700);
        long directBefore = fleet.server.stats().directStatements();
        try (Connection c = fleet.admin();
                PreparedStatement failing =
                        c.prepareStatement("SELECT 1 / (amount - amount) FROM payments WHERE creator_id = ?");
                PreparedStatement slow =
                        c.prepareStatement("SELECT pg_sleep(0.4), amount FROM payments WHERE creator_id = ?")) {
            for (int i = 0; i < 4; i++) {
                failing.setLong(1, CREATOR);
                assertThatThrownBy(failing::executeQuery)
                        .extracting(e -> ((SQLException) e).getSQLState())
                        .isEqualTo("22012");
            }
            slow.setLong(1, CREATOR);
            try (ResultSet rs = slow.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        }
        // All five went to the backend at the wire level, not through the engine's statements.
        assertThat(fleet.server.stats().directStatements() - directBefore).isEqualTo(5);

        // Heartbeats every 500 ms: the failures and the slow read may land in different ones; 4 of 5 failed.
        RouterHealthWatch seen;
        try (Connection c = fleet.admin()) {
            seen = RouterHealthWatch.until(c, "proxy", dataSource, 0.8, 400);
        }
        assertThat(seen.errorRate()).as("error rate the router reported").isGreaterThanOrEqualTo(0.8);
        assertThat(seen.p95Millis()).as("p95 the router reported, ms").isGreaterThanOrEqualTo(400);
    }
}
