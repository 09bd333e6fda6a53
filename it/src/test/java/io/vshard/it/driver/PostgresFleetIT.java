package io.vshard.it.driver;

import io.vshard.engine.StatementOptions;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.sql.Merge;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver suite on the local PostgreSQL: logical shards are schemas in two databases. */
class PostgresFleetIT extends ShardedFleetSuite {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    private String db(String suffix) {
        return "vshard_it_" + id + "_" + suffix;
    }

    @Override
    List<FleetFiles.Source> sources() {
        return List.of(
                new FleetFiles.Source("pg_a", SERVER + db("a"), "postgres"),
                new FleetFiles.Source("pg_b", SERVER + db("b"), "postgres"));
    }

    @Override
    List<PlacementRule> placement() {
        return List.of(new PlacementRule(0, 3, "pg_a", "shard_%03d"), new PlacementRule(4, 7, "pg_b", "shard_%03d"));
    }

    @Override
    String defaultSchema() {
        return "public";
    }

    @Override
    Connection direct(ShardLocation location) throws SQLException {
        return DriverManager.getConnection(SERVER + db(location.dataSource().substring(3)), "postgres", "");
    }

    @Override
    Connection reference() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db("ref") + "'")) {
            if (!rs.next()) {
                st.execute("CREATE DATABASE " + db("ref"));
            }
        }
        return DriverManager.getConnection(SERVER + db("ref"), "postgres", "");
    }

    @Override
    String qualified(ShardLocation location, String table) {
        return location.schema() + "." + table;
    }

    @Test
    void aQueryTimeoutCancelsTheShardStatementWith57014() {
        LogicalShard shard = Placement.allShards(engine.routingState()).get(5);
        ShardStatement sleep = new ShardStatement(shard, "SELECT pg_sleep(30)", List.of(), List.of());
        long started = System.nanoTime();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.execute(
                        new RoutePlan.Sharded(List.of(sleep), Merge.NONE, false, false),
                        new StatementOptions(false, 0, 1, 0, false, List.of())))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("57014");
        org.assertj.core.api.Assertions.assertThat(System.nanoTime() - started).isLessThan(10_000_000_000L);
    }

    @Test
    void aWriteTransactionOverTwoDatabasesIsAtomicOrRefused() throws Exception {
        long a = -1;
        long b = -1;
        for (long c = 0; a < 0 || b < 0; c++) {
            String ds = shardOf(c, "EU").location().dataSource();
            if (ds.equals("pg_a") && a < 0) {
                a = c;
            } else if (ds.equals("pg_b") && b < 0) {
                b = c;
            }
        }
        boolean prepared;
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SHOW max_prepared_transactions")) {
            rs.next();
            prepared = rs.getInt(1) > 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO payments (payment_id, creator_id, region, amount) VALUES (?, ?, 'EU', 1)")) {
            c.setAutoCommit(false);
            ps.setLong(1, 1);
            ps.setLong(2, a);
            ps.executeUpdate();
            ps.setLong(1, 2);
            ps.setLong(2, b);
            if (prepared) {
                ps.executeUpdate();
                c.commit();
            } else {
                org.assertj.core.api.Assertions.assertThatThrownBy(ps::executeUpdate)
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("multi-shard write transactions are not supported yet")
                        .hasMessageContaining("max_prepared_transactions = 0")
                        .extracting(e -> ((SQLException) e).getSQLState())
                        .isEqualTo("0A000");
                c.rollback();
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM payments")) {
            org.assertj.core.api.Assertions.assertThat(rows(rs)).isEqualTo(List.of(List.of(prepared ? "2" : "0")));
        }
    }

    @Override
    void dropAll() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            for (String s : List.of("a", "b", "ref")) {
                st.execute("DROP DATABASE IF EXISTS " + db(s) + " WITH (FORCE)");
            }
        }
    }
}
