package io.vshard.it.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.config.ConfigReader;
import io.vshard.control.ControlStore;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.engine.StatementOptions;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.sql.Merge;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
    void routersStartingTogetherEachCreateTheSchemasWithoutError() throws Exception {
        int routers = 4;
        List<PlacementRule> rules = List.of(new PlacementRule(0, SHARDS - 1, "pg_a", "together_%03d"));
        CyclicBarrier together = new CyclicBarrier(routers);
        ExecutorService pool = Executors.newFixedThreadPool(routers);
        try {
            List<Future<Integer>> created = new ArrayList<>();
            for (int r = 0; r < routers; r++) {
                Path home = Files.createDirectories(dir.resolve("router" + r));
                Path cfg = FleetFiles.write(home, sources(), SHARDS, rules, defaultSchema());
                created.add(pool.submit(() -> {
                    try (Engine e = Engine.start(
                            ConfigReader.read(cfg),
                            new EngineOptions(5_000, 8, 1_000, Duration.ofSeconds(5), "driver"))) {
                        together.await();
                        return e.createShardSchemas().size();
                    }
                }));
            }
            for (Future<Integer> f : created) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(SHARDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = DriverManager.getConnection(SERVER + db("a"), "postgres", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'together\\_%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SHARDS);
        }
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
        assertThat(System.nanoTime() - started).isLessThan(10_000_000_000L);
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
            assertThat(rows(rs)).isEqualTo(List.of(List.of(prepared ? "2" : "0")));
        }
    }

    /** The prepared transactions of this test's databases still held by the server. */
    private List<String> preparedHere() throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                java.sql.PreparedStatement ps =
                        c.prepareStatement("SELECT gid FROM pg_prepared_xacts WHERE database LIKE ? ORDER BY gid")) {
            ps.setString(1, "vshard_it_" + id + "_%");
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void insert(java.sql.PreparedStatement ps, long paymentId, long creator) throws SQLException {
        ps.setLong(1, paymentId);
        ps.setLong(2, creator);
        ps.executeUpdate();
    }

    @Test
    void whenOneDatabaseFailsAtCommitNoShardKeepsTheWrites() throws Exception {
        long a = creatorOn("pg_a");
        long b = creatorOn("pg_b");
        LogicalShard shardB = shardOf(b, "EU");
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO payments (payment_id, creator_id, region, amount) VALUES (?, ?, 'EU', 1)")) {
            c.setAutoCommit(false);
            insert(ps, 10, a);
            insert(ps, 11, b);
            // Fault: the server ends the session holding the open transaction on data source pg_b, so its
            // PREPARE TRANSACTION fails after pg_a's branch was prepared.
            try (Connection admin = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                    java.sql.PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(pid)"
                            + " FROM pg_stat_activity WHERE datname = ? AND state = 'idle in transaction'");
                    java.sql.PreparedStatement gone = admin.prepareStatement(
                            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ? AND state = 'idle in transaction'")) {
                kill.setString(1, db("b"));
                try (java.sql.ResultSet rs = kill.executeQuery()) {
                    assertThat(rs.next()).as("pg_b holds the open branch").isTrue();
                }
                gone.setString(1, db("b"));
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (true) {
                    try (java.sql.ResultSet rs = gone.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0 || System.nanoTime() > deadline) {
                            break;
                        }
                    }
                    Thread.sleep(20);
                }
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(c::commit)
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("pg_b");
        }
        assertThat(countOn(shardOf(a, "EU"), 10))
                .as("the healthy branch was rolled back")
                .isZero();
        assertThat(countOn(shardB, 11)).isZero();
        assertThat(preparedHere()).as("no branch is left prepared").isEmpty();
        assertThat(new ControlStore(ConfigReader.read(config).controlStore()).loggedTransactions())
                .as("nothing left in the recovery log")
                .isEmpty();
    }

    /** Prepares a branch inserting {@code paymentId} on {@code shard} straight on its server, as a router would. */
    private void prepareBranch(LogicalShard shard, String xid, long paymentId, long creator) throws SQLException {
        try (Connection raw = direct(shard.location());
                Statement st = raw.createStatement()) {
            raw.setAutoCommit(false);
            st.execute("INSERT INTO " + qualified(shard.location(), "payments") + " VALUES (" + paymentId + ", "
                    + creator + ", 'EU', 1)");
            st.execute("PREPARE TRANSACTION '" + xid + "'");
        }
    }

    @Test
    void recoveryResolvesPreparedBranchesOfACrashedRouter() throws Exception {
        LogicalShard onA = shardOf(creatorOn("pg_a"), "EU");
        LogicalShard onB = shardOf(creatorOn("pg_b"), "EU");
        long ca = creatorOn("pg_a");
        long cb = creatorOn("pg_b");
        // Crashed after preparing both branches, before its commit point: recovery rolls both back.
        String undecided = "vshard_itu" + id;
        prepareBranch(onA, undecided + "_pg_a", 70, ca);
        prepareBranch(onB, undecided + "_pg_b", 71, cb);
        // Crashed past its commit point (COMMITTING logged) with no branch committed yet: recovery commits both.
        String decided = "vshard_itc" + id;
        prepareBranch(onA, decided + "_pg_a", 80, ca);
        prepareBranch(onB, decided + "_pg_b", 81, cb);
        ControlStore store = new ControlStore(ConfigReader.read(config).controlStore());
        store.logPreparing(undecided, List.of("pg_a", "pg_b"), "a-router-that-crashed");
        store.logPreparing(decided, List.of("pg_a", "pg_b"), "a-router-that-crashed");
        store.logCommitting(decided);
        assertThat(preparedHere()).hasSize(4);
        assertThat(countOn(onA, 80)).isZero();

        try (Engine restarted = Engine.start(
                ConfigReader.read(config), new EngineOptions(5_000, 4, 100, Duration.ofSeconds(5), "driver"))) {
            assertThat(preparedHere()).isEmpty();
            assertThat(store.loggedTransactions()).isEmpty();
            assertThat(List.of(countOn(onA, 70), countOn(onB, 71), countOn(onA, 80), countOn(onB, 81)))
                    .isEqualTo(List.of(0L, 0L, 1L, 1L));
        }
        // A router that is slow, not gone, cannot reach its commit point once recovery claimed its transaction.
        String slow = "vshard_its" + id;
        store.logPreparing(slow, List.of("pg_a", "pg_b"), "a-router-that-looked-gone");
        assertThat(store.claimForRollback(slow)).isTrue();
        assertThatThrownBy(() -> store.logCommitting(slow))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("40001");
        String committing = "vshard_itk" + id;
        store.logPreparing(committing, List.of("pg_a", "pg_b"), "a-router-that-looked-gone");
        store.logCommitting(committing);
        assertThat(store.claimForRollback(committing)).isFalse();
        store.forgetTransaction(slow);
        store.forgetTransaction(committing);
    }

    @Override
    void dropAll() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            // A prepared transaction keeps its database from being dropped.
            for (String gid : preparedHere()) {
                String database = gid.endsWith("_pg_a") ? db("a") : db("b");
                try (Connection in = DriverManager.getConnection(SERVER + database, "postgres", "");
                        Statement rollback = in.createStatement()) {
                    rollback.execute("ROLLBACK PREPARED '" + gid + "'");
                }
            }
            for (String s : List.of("a", "b", "ref")) {
                st.execute("DROP DATABASE IF EXISTS " + db(s) + " WITH (FORCE)");
            }
        }
    }
}
