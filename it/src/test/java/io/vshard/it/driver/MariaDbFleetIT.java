package io.vshard.it.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.config.ConfigReader;
import io.vshard.control.ControlStore;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver suite on the local MariaDB: logical shards are databases, reached through two data sources. */
class MariaDbFleetIT extends ShardedFleetSuite {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";

    private String prefix() {
        return "vit_" + id + "_";
    }

    /**
     * The database data source my_b's connections start in. Shard statements name their shard's database, so a
     * connection stays in this one, which tells the test's fault injection which server sessions are my_b's.
     */
    private String homeOfB() {
        return prefix() + "home_b";
    }

    @Override
    List<FleetFiles.Source> sources() {
        try (Connection c = DriverManager.getConnection(SERVER, "root", "");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + homeOfB());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create " + homeOfB(), e);
        }
        return List.of(
                new FleetFiles.Source("my_a", SERVER, "root"),
                new FleetFiles.Source("my_b", SERVER + homeOfB() + "?connectTimeout=2000", "root"));
    }

    @Override
    List<PlacementRule> placement() {
        return List.of(
                new PlacementRule(0, 3, "my_a", prefix() + "s%03d"),
                new PlacementRule(4, 7, "my_b", prefix() + "s%03d"));
    }

    @Override
    String defaultSchema() {
        return prefix() + "default";
    }

    @Override
    Connection direct(ShardLocation location) throws SQLException {
        return DriverManager.getConnection(SERVER + location.schema(), "root", "");
    }

    @Override
    Connection reference() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", "");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + prefix() + "ref");
        }
        return DriverManager.getConnection(SERVER + prefix() + "ref", "root", "");
    }

    @Override
    String qualified(ShardLocation location, String table) {
        return location.schema() + "." + table;
    }

    private void insert(PreparedStatement ps, long paymentId, long creator) throws SQLException {
        ps.setLong(1, paymentId);
        ps.setLong(2, creator);
        ps.setString(3, "EU");
        ps.setInt(4, 1);
        ps.executeUpdate();
    }

    @Test
    void aTransactionWritingTwoDataSourcesCommitsWithXa() throws Exception {
        long a = creatorOn("my_a");
        long b = creatorOn("my_b");
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO payments (payment_id, creator_id, region, amount) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            insert(ps, 1, a);
            insert(ps, 2, b);
            assertThat(countOn(shardOf(a, "EU"), 1))
                    .as("invisible before commit")
                    .isZero();
            c.commit();
        }
        assertThat(countOn(shardOf(a, "EU"), 1)).isEqualTo(1);
        assertThat(countOn(shardOf(b, "EU"), 2)).isEqualTo(1);
        assertThat(new ControlStore(ConfigReader.read(config).controlStore()).loggedTransactions())
                .isEmpty();
    }

    @Test
    void whenOneBranchFailsAtCommitNoShardKeepsTheWrites() throws Exception {
        long a = creatorOn("my_a");
        long b = creatorOn("my_b");
        LogicalShard shardB = shardOf(b, "EU");
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO payments (payment_id, creator_id, region, amount) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            insert(ps, 10, a);
            insert(ps, 11, b);
            // Fault: the server drops the branch on data source my_b (its session sits in my_b's home database,
            // or in shard B's should a statement have needed the switch).
            try (Connection root = DriverManager.getConnection(SERVER, "root", "");
                    Statement st = root.createStatement()) {
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT id FROM information_schema.processlist WHERE db IN ('"
                        + homeOfB() + "', '" + shardB.location().schema() + "')")) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                assertThat(ids).isNotEmpty();
                for (long id : ids) {
                    st.execute("KILL CONNECTION " + id);
                }
            }
            assertThatThrownBy(c::commit).isInstanceOf(SQLException.class).hasMessageContaining("my_b");
        }
        assertThat(countOn(shardOf(a, "EU"), 10))
                .as("the healthy branch was rolled back")
                .isZero();
        assertThat(countOn(shardB, 11)).isZero();
        try (Connection root = DriverManager.getConnection(SERVER, "root", "");
                Statement st = root.createStatement();
                ResultSet rs = st.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                assertThat(rs.getString("data")).doesNotContain(id);
            }
        }
    }

    @Test
    void recoveryCommitsABranchLoggedAsCommitting() throws Exception {
        long a = creatorOn("my_a");
        LogicalShard shard = shardOf(a, "EU");
        String gtrid = "vshard_it" + id;
        String xid = gtrid + "_my_a";
        try (Connection raw = direct(shard.location());
                Statement st = raw.createStatement()) {
            st.execute("XA START '" + xid + "'");
            st.execute("INSERT INTO payments VALUES (77, " + a + ", 'EU', 1)");
            st.execute("XA END '" + xid + "'");
            st.execute("XA PREPARE '" + xid + "'");
        }
        ControlStore store = new ControlStore(ConfigReader.read(config).controlStore());
        store.logPreparing(gtrid, List.of("my_a"), "a-router-that-crashed");
        store.logCommitting(gtrid);
        assertThat(countOn(shard, 77)).isZero();
        try (Engine restarted = Engine.start(
                ConfigReader.read(config), new EngineOptions(5_000, 4, 100, Duration.ofSeconds(5), "driver"))) {
            assertThat(countOn(shard, 77)).isEqualTo(1);
            assertThat(store.loggedTransactions()).isEmpty();
        }
    }

    @Override
    void dropAll() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", "");
                Statement st = c.createStatement()) {
            List<String> stale = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("XA RECOVER")) {
                while (rs.next()) {
                    if (rs.getString("data").contains(id)) {
                        stale.add(rs.getString("data"));
                    }
                }
            }
            for (String xid : stale) {
                st.execute("XA ROLLBACK '" + xid + "'");
            }
            List<String> dbs = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SHOW DATABASES LIKE '" + prefix() + "%'")) {
                while (rs.next()) {
                    dbs.add(rs.getString(1));
                }
            }
            for (String d : dbs) {
                st.execute("DROP DATABASE `" + d + "`");
            }
        }
    }
}
