package io.vshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.engine.Fleet;
import io.vshard.manifest.PlacementRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VShardDriverTest {

    private static Path fleet(Path dir) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "");
        return Fleet.write(
                dir,
                Map.of("h2", "jdbc:h2:mem:d" + id),
                4,
                List.of(new PlacementRule(0, 3, "h2", "shard_%03d")),
                "h2",
                "PUBLIC");
    }

    @Test
    void isRegisteredAndDescribesItsProperties() throws Exception {
        Driver d = DriverManager.getDriver("jdbc:vshard:/x.yaml");
        assertThat(d).isInstanceOf(VShardDriver.class);
        assertThat(d.acceptsURL("jdbc:postgresql://x/y")).isFalse();
        DriverPropertyInfo[] info = d.getPropertyInfo("jdbc:vshard:/x.yaml", new Properties());
        assertThat(Arrays.stream(info).map(i -> i.name))
                .containsExactlyElementsOf(Arrays.stream(DriverProperty.values())
                        .map(DriverProperty::key)
                        .toList());
        assertThat(info).allSatisfy(i -> assertThat(i.description).isNotBlank());
    }

    @Test
    void connectionsToOneConfigurationShareOneEngine(@TempDir Path dir) throws Exception {
        Path config = fleet(dir);
        int before = SharedEngines.running();
        try (Connection a = DriverManager.getConnection("jdbc:vshard:" + config);
                Connection b = DriverManager.getConnection("jdbc:vshard:" + dir.resolve("./vshard.yaml"))) {
            assertThat(SharedEngines.running()).isEqualTo(before + 1);
            assertThat(a.unwrap(VShardConnection.class).engine())
                    .isSameAs(b.unwrap(VShardConnection.class).engine());
            assertThat(a.isValid(1)).isTrue();
        }
        assertThat(SharedEngines.running()).isEqualTo(before);
    }

    @Test
    void metadataComesFromTheDefaultShardWithVShardIdentity(@TempDir Path dir) throws Exception {
        String url = "jdbc:vshard:" + fleet(dir) + "?createSchemas=true";
        try (Connection c = DriverManager.getConnection(url)) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getURL()).isEqualTo(url);
            assertThat(md.getDriverName()).isEqualTo("vshard");
            assertThat(md.getDatabaseProductName()).isEqualTo("H2");
            assertThat(md.getConnection()).isSameAs(c);
            try (var rs = md.getSchemas()) {
                StringBuilder names = new StringBuilder();
                while (rs.next()) {
                    names.append(rs.getString("TABLE_SCHEM")).append(' ');
                }
                assertThat(names.toString()).contains("shard_000", "shard_003");
            }
        }
    }

    @Test
    void statementsRunEndToEndThroughTheRouter(@TempDir Path dir) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + fleet(dir) + "?createSchemas=true");
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT, amount INT)");
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO payments (payment_id, creator_id, amount) VALUES (?, ?, ?)")) {
                assertThat(ps.getParameterMetaData().getParameterCount()).isEqualTo(3);
                for (long p = 1; p <= 30; p++) {
                    ps.setLong(1, p);
                    ps.setLong(2, p % 7);
                    ps.setInt(3, (int) (p * 10));
                    ps.addBatch();
                }
                assertThat(ps.executeBatch()).hasSize(30).containsOnly(1);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT SUM(amount) FROM payments WHERE creator_id = ?")) {
                ps.setLong(1, 3);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(30 + 100 + 170 + 240);
                }
            }
            try (ResultSet rs =
                    st.executeQuery("SELECT payment_id FROM payments ORDER BY amount DESC LIMIT 3 OFFSET 1")) {
                List<Long> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
                assertThat(ids).containsExactly(29L, 28L, 27L);
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*), AVG(amount), MAX(amount) FROM payments")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(30);
                assertThat(rs.getDouble(2)).isEqualTo(155.0);
                assertThat(rs.getInt(3)).isEqualTo(300);
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(3);
            }
            assertThat(st.executeUpdate("UPDATE payments SET amount = amount + 1 WHERE creator_id = 3"))
                    .isEqualTo(4);
            try (ResultSet rs = st.executeQuery("SHOW SHARD VERSION")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt("active_version")).isEqualTo(1);
            }
        }
    }

    @Test
    void showShardHealthReportsWhatEachRouterMeasuredAgainstTheTriggers(@TempDir Path dir) throws Exception {
        String url = "jdbc:vshard:" + fleet(dir) + "?createSchemas=true&heartbeatSeconds=1";
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT, amount INT)");
            st.execute("INSERT INTO payments (payment_id, creator_id, amount) VALUES (1, 3, 10)");
            // Past the next heartbeat, so the DDL's and the insert's statements are reported apart from these.
            Thread.sleep(1_200);
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() ->
                                st.executeQuery("SELECT 1 / (amount - amount) FROM payments WHERE creator_id = 3"))
                        .extracting(e -> ((SQLException) e).getSQLState())
                        .isEqualTo("22012");
            }
            // What a wire proxy's direct path reports for a statement it ran on the data source itself.
            c.unwrap(VShardConnection.class).engine().recordDirectStatement("h2", 400_000_000L, false);
            // A heartbeat may fall between the statements, so the failures and the slow statement may be
            // reported in different heartbeats: watch until both were.
            long deadline = System.nanoTime() + 10_000_000_000L;
            double errorRate = 0;
            long p95 = 0;
            while ((errorRate == 0 || p95 < 400) && System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SHOW SHARD HEALTH")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("kind")).isEqualTo("driver");
                    if (rs.getDouble("error_rate") > 0 || rs.getLong("p95_ms") > 0) {
                        assertThat(rs.getString("worst_data_source")).isEqualTo("h2");
                    }
                    errorRate = Math.max(errorRate, rs.getDouble("error_rate"));
                    p95 = Math.max(p95, rs.getLong("p95_ms"));
                    // The fleet's manifest states no health trigger.
                    assertThat(rs.getObject("trigger_p95_ms")).isNull();
                    assertThat(rs.getObject("trigger_error_rate")).isNull();
                    assertThat(rs.getString("verdict")).isEqualTo("ok");
                    assertThat(rs.next()).isFalse();
                }
                Thread.sleep(50);
            }
            // 3 of these 4 statements failed: 0.75 when one heartbeat saw them all, more when it saw part.
            assertThat(errorRate).isGreaterThanOrEqualTo(0.75).isLessThanOrEqualTo(1.0);
            assertThat(p95).isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    void savepointsWorkThroughSqlAndTheJdbcApi(@TempDir Path dir) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + fleet(dir) + "?createSchemas=true");
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT, amount INT)");
            assertThatThrownBy(() -> st.execute("SAVEPOINT a"))
                    .hasMessageContaining("SAVEPOINT can only be used in a transaction block")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("25P01");
            assertThatThrownBy(c::setSavepoint)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("25P01");
            c.setAutoCommit(false);
            st.execute("INSERT INTO payments (payment_id, creator_id, amount) VALUES (1, 1, 10)");
            st.execute("savepoint \"Mixed Case\"");
            st.execute("INSERT INTO payments (payment_id, creator_id, amount) VALUES (2, 2, 20)");
            Savepoint sp = c.setSavepoint("plain");
            assertThat(sp.getSavepointName()).isEqualTo("plain");
            assertThatThrownBy(sp::getSavepointId).isInstanceOf(SQLException.class);
            st.execute("INSERT INTO payments (payment_id, creator_id, amount) VALUES (3, 3, 30)");
            c.rollback(sp);
            Savepoint unnamed = c.setSavepoint();
            assertThat(unnamed.getSavepointId()).isPositive();
            st.execute("INSERT INTO payments (payment_id, creator_id, amount) VALUES (4, 0, 40)");
            c.releaseSavepoint(unnamed);
            st.execute("ROLLBACK TO \"Mixed Case\";");
            assertThatThrownBy(() -> c.rollback(sp))
                    .as("a rollback to an earlier savepoint drops the later ones")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("3B001");
            assertThatThrownBy(() -> st.execute("ROLLBACK TO \"mixed case\""))
                    .as("a quoted name keeps its case")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("3B001");
            assertThatThrownBy(() -> c.setSavepoint("no; DROP TABLE payments"))
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("42601");
            st.execute("INSERT INTO payments (payment_id, creator_id, amount) VALUES (5, 1, 50)");
            st.execute("RELEASE SAVEPOINT \"Mixed Case\"");
            c.commit();
            try (ResultSet rs = st.executeQuery("SELECT payment_id FROM payments ORDER BY payment_id")) {
                List<Long> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
                assertThat(ids).containsExactly(1L, 5L);
            }
            c.commit();
        }
    }

    @Test
    void unsupportedMethodsNameThemselves(@TempDir Path dir) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + fleet(dir))) {
            assertThatThrownBy(() -> c.prepareCall("{call x()}"))
                    .isInstanceOf(SQLFeatureNotSupportedException.class)
                    .hasMessageContaining("Connection.prepareCall")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("0A000");
            Statement st = c.createStatement();
            assertThatThrownBy(() -> st.setCursorName("x")).hasMessageContaining("Statement.setCursorName");
            st.close();
            assertThatThrownBy(() -> st.execute("SELECT 1"))
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("08003");
            assertThatThrownBy(c::commit)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("25000");
        }
    }

    @Test
    void badUrlsAndConfigsGetClearErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:vshard:"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("malformed vshard URL 'jdbc:vshard:'")
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("08001");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:vshard:" + dir.resolve("nope.yaml")))
                .hasMessageContaining(dir.resolve("nope.yaml").toString())
                .hasMessageContaining("no such file")
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("58030");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:vshard:classpath:missing/vshard.yaml"))
                .hasMessageContaining("classpath:missing/vshard.yaml")
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("58030");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:vshard:" + fleet(dir) + "?connectTimeoutMillis"))
                .hasMessageContaining("'connectTimeoutMillis' is not name=value");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(fleet(dir)).replace("max_pool_size", "max_pools"));
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:vshard:" + bad))
                .hasMessageContaining("bad.yaml:6: data_sources.h2.max_pools: unknown field")
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("F0000");
    }

    @Test
    void aTamperedManifestIsRefused(@TempDir Path dir) throws Exception {
        Path config = fleet(dir);
        Path manifest = dir.resolve("v1.yaml");
        Files.writeString(manifest, Files.readString(manifest).replace("shard_%03d", "shard_%04d"));
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:vshard:" + config))
                .hasMessageContaining("v1.yaml")
                .hasMessageContaining("altered after signing")
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("F0000");
    }
}
