package io.vshard.it.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vshard.config.ConfigReader;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.engine.Result;
import io.vshard.engine.Session;
import io.vshard.engine.StatementOptions;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.sql.Merge;
import io.vshard.sql.Merge.Aggregate;
import io.vshard.sql.Merge.Function;
import io.vshard.sql.Merge.SortKey;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.TouchedKey;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver suite every backend runs: 8 logical shards on two data sources of a real server, checked against
 * the shards directly and against one unsharded database holding the same rows. Subclasses say how to reach
 * the server and how a logical shard is named on it.
 */
abstract class ShardedFleetSuite {
    static final int SHARDS = 8;
    static final int ROWS = 300;
    static final String[] REGIONS = {"APAC", "EU", "US"};
    final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @TempDir
    Path dir;

    Path config;
    Engine engine;
    Session session;

    /** The configuration's data sources. */
    abstract List<FleetFiles.Source> sources();

    /** The placement of the 8 shards. */
    abstract List<io.vshard.manifest.PlacementRule> placement();

    /** The default shard's schema (MySQL: database). */
    abstract String defaultSchema();

    /** A direct connection to the physical database of a location. */
    abstract Connection direct(ShardLocation location) throws SQLException;

    /** A connection to the reference database holding all rows unsharded (created if needed). */
    abstract Connection reference() throws SQLException;

    /** How a table in a shard is qualified in direct queries. */
    abstract String qualified(ShardLocation location, String table);

    /** Drops everything the test created. */
    abstract void dropAll() throws SQLException;

    @BeforeEach
    void start() throws Exception {
        config = FleetFiles.write(dir, sources(), SHARDS, placement(), defaultSchema());
        engine = Engine.start(
                ConfigReader.read(config), new EngineOptions(5_000, 8, 1_000, Duration.ofSeconds(5), "driver"));
        engine.createShardSchemas();
        session = engine.openSession();
        String ddl = "CREATE TABLE payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT NOT NULL,"
                + " region VARCHAR(8) NOT NULL, amount INT NOT NULL)";
        session.execute(new RoutePlan.EveryShard(ddl, List.of(), true), StatementOptions.DEFAULT);
        try (Connection ref = reference();
                Statement st = ref.createStatement()) {
            st.execute(ddl);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (session != null) {
            session.close();
        }
        if (engine != null) {
            engine.close();
        }
        dropAll();
    }

    /** A creator whose EU payments live on data source {@code ds}. */
    long creatorOn(String ds) {
        for (long c = 0; ; c++) {
            if (shardOf(c, "EU").location().dataSource().equals(ds)) {
                return c;
            }
        }
    }

    /** How many rows with {@code paymentId} the shard holds, read straight from its server. */
    long countOn(LogicalShard shard, long paymentId) throws SQLException {
        try (Connection c = direct(shard.location());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + qualified(shard.location(), "payments")
                        + " WHERE payment_id = " + paymentId)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    LogicalShard shardOf(long creator, String region) {
        return Placement.locate(
                        engine.routingState(),
                        engine.config().tables().find("payments"),
                        ShardKey.of(creator, region),
                        null)
                .writeTarget();
    }

    void load() throws Exception {
        try (Connection ref = reference();
                PreparedStatement ps = ref.prepareStatement("INSERT INTO payments VALUES (?, ?, ?, ?)")) {
            for (long p = 1; p <= ROWS; p++) {
                long creator = p % 41;
                String region = REGIONS[(int) (creator % 3)];
                int amount = (int) ((p * 7919) % 1000);
                ShardStatement s = new ShardStatement(
                        shardOf(creator, region),
                        "INSERT INTO payments VALUES (?, ?, ?, ?)",
                        List.of(p, creator, region, amount),
                        List.of(new TouchedKey("payments", creator, region, null)));
                Result r = session.execute(
                        new RoutePlan.Sharded(List.of(s), Merge.NONE, true, false), StatementOptions.DEFAULT);
                assertThat(r.updateCount()).isEqualTo(1);
                ps.setLong(1, p);
                ps.setLong(2, creator);
                ps.setString(3, region);
                ps.setInt(4, amount);
                ps.executeUpdate();
            }
        }
    }

    RoutePlan.Sharded everywhere(String sql, Merge merge) {
        List<ShardStatement> all = new ArrayList<>();
        for (LogicalShard s : Placement.allShards(engine.routingState())) {
            all.add(new ShardStatement(s, sql, List.of(), List.of()));
        }
        return new RoutePlan.Sharded(all, merge, false, false);
    }

    static List<List<String>> rows(ResultSet rs) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                Object v = rs.getObject(i);
                row.add(
                        v instanceof Number num
                                ? new BigDecimal(num.toString())
                                        .stripTrailingZeros()
                                        .toPlainString()
                                : String.valueOf(v));
            }
            out.add(row);
        }
        return out;
    }

    List<List<String>> viaVShard(RoutePlan plan) throws SQLException {
        Result r = session.execute(plan, new StatementOptions(false, 50, 30, 0, false, List.of()));
        try (ResultSet rs = r.rows()) {
            return rows(rs);
        }
    }

    List<List<String>> onReference(String sql) throws SQLException {
        try (Connection c = reference();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rows(rs);
        }
    }

    @Test
    void ddlReachesEveryShard() throws Exception {
        for (LogicalShard s : Placement.allShards(engine.routingState())) {
            try (Connection c = direct(s.location());
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + qualified(s.location(), "payments"))) {
                assertThat(rs.next()).as("payments exists on %s", s).isTrue();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void insertsLandOnTheShardPlacementNames() throws Exception {
        load();
        long total = 0;
        for (LogicalShard s : Placement.allShards(engine.routingState())) {
            try (Connection c = direct(s.location());
                    Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery("SELECT creator_id, region FROM " + qualified(s.location(), "payments"))) {
                while (rs.next()) {
                    assertThat(shardOf(rs.getLong(1), rs.getString(2))).isEqualTo(s);
                    total++;
                }
            }
        }
        assertThat(total).isEqualTo(ROWS);
    }

    @Test
    void fanOutTopNEqualsTheUnshardedAnswer() throws Exception {
        load();
        Merge merge = new Merge(
                List.of(new SortKey(1, true, false), new SortKey(0, false, false)),
                5,
                10,
                List.of(),
                List.of(),
                false,
                2);
        List<List<String>> got = viaVShard(
                everywhere("SELECT payment_id, amount FROM payments ORDER BY amount DESC, payment_id LIMIT 15", merge));
        assertThat(got)
                .hasSize(10)
                .isEqualTo(onReference(
                        "SELECT payment_id, amount FROM payments ORDER BY amount DESC, payment_id LIMIT 10 OFFSET 5"));
    }

    @Test
    void fanOutAggregatesEqualTheUnshardedAnswer() throws Exception {
        load();
        Merge merge = new Merge(
                List.of(),
                0,
                -1,
                List.of(),
                List.of(
                        new Aggregate(0, Function.COUNT, -1),
                        new Aggregate(1, Function.SUM, -1),
                        new Aggregate(2, Function.MIN, -1),
                        new Aggregate(3, Function.MAX, -1),
                        new Aggregate(4, Function.AVG, 5)),
                false,
                5);
        List<List<String>> got = viaVShard(everywhere(
                "SELECT COUNT(*), SUM(amount), MIN(amount), MAX(amount), SUM(amount), COUNT(amount) FROM payments",
                merge));
        List<List<String>> want =
                onReference("SELECT COUNT(*), SUM(amount), MIN(amount), MAX(amount), AVG(amount) FROM payments");
        assertThat(got.get(0).subList(0, 4)).isEqualTo(want.get(0).subList(0, 4));
        // MariaDB rounds AVG to 4 more decimals than its input (div_precision_increment); vshard keeps 16 digits.
        assertThat(new BigDecimal(got.get(0).get(4)))
                .isCloseTo(
                        new BigDecimal(want.get(0).get(4)),
                        org.assertj.core.data.Offset.offset(new BigDecimal("1e-4")));
    }

    @Test
    void fanOutGroupByAndDistinctEqualTheUnshardedAnswer() throws Exception {
        load();
        Merge grouped = new Merge(
                List.of(new SortKey(0, false, false)),
                0,
                -1,
                List.of(0),
                List.of(new Aggregate(1, Function.COUNT, -1), new Aggregate(2, Function.SUM, -1)),
                false,
                3);
        String g = "SELECT region, COUNT(*), SUM(amount) FROM payments GROUP BY region ORDER BY region";
        assertThat(viaVShard(everywhere(g, grouped))).hasSize(3).isEqualTo(onReference(g));
        Merge distinct = new Merge(List.of(new SortKey(0, false, false)), 0, -1, List.of(), List.of(), true, 1);
        String d = "SELECT DISTINCT creator_id FROM payments ORDER BY creator_id";
        assertThat(viaVShard(everywhere(d, distinct))).hasSize(41).isEqualTo(onReference(d));
    }

    @Test
    void anUnreachableDataSourceFailsWith08006NamingTheShardWithoutHanging() throws Exception {
        List<FleetFiles.Source> broken = new ArrayList<>(sources());
        FleetFiles.Source second = broken.get(1);
        broken.set(
                1,
                new FleetFiles.Source(
                        second.name(), second.url().replace(":5432", ":1").replace(":3306", ":1"), second.user()));
        Path other = dir.resolve("broken");
        java.nio.file.Files.createDirectories(other);
        Path cfg = FleetFiles.write(other, broken, SHARDS, placement(), defaultSchema());
        long started = System.nanoTime();
        try (Engine e = Engine.start(
                        ConfigReader.read(cfg), new EngineOptions(3_000, 4, 100, Duration.ofSeconds(5), "driver"));
                Session s = e.openSession()) {
            List<ShardStatement> all = new ArrayList<>();
            for (LogicalShard shard : Placement.allShards(e.routingState())) {
                all.add(new ShardStatement(shard, "SELECT COUNT(*) FROM payments", List.of(), List.of()));
            }
            LogicalShard good = all.get(0).shard();
            Result ok = s.execute(
                    new RoutePlan.Sharded(List.of(all.get(0)), Merge.NONE, false, false), StatementOptions.DEFAULT);
            try (ResultSet rs = ok.rows()) {
                assertThat(rs.next())
                        .as("a statement needing only %s still works", good)
                        .isTrue();
            } finally {
                ok.resources().close();
            }
            assertThatThrownBy(() ->
                            s.execute(new RoutePlan.Sharded(all, Merge.NONE, false, false), StatementOptions.DEFAULT))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("@" + second.name() + "/")
                    .extracting(ex -> ((SQLException) ex).getSQLState())
                    .isEqualTo("08006");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void hikariPoolsJdbcVShardConnections() throws Exception {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:vshard:" + config);
        hc.setMaximumPoolSize(3);
        hc.setPoolName("it-vshard");
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            for (int i = 0; i < 5; i++) {
                try (Connection c = ds.getConnection()) {
                    assertThat(c.isValid(1)).isTrue();
                    assertThat(c.getMetaData().getDriverName()).isEqualTo("vshard");
                    c.setAutoCommit(false);
                    c.rollback();
                }
            }
            try (Connection c = ds.getConnection();
                    Statement st = c.createStatement()) {
                boolean routed = routerAvailable(st);
                assumeThat(routed).as("the SQL router has landed").isTrue();
                load();
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM payments WHERE creator_id = 7")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(onReferenceCount("creator_id = 7"));
                }
            }
        }
    }

    @Test
    void throughJdbcVShardWritesLandOnTheirShardAndQueriesMatchTheUnshardedAnswer() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                Connection ref = reference();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO payments (payment_id, creator_id, region, amount) VALUES (?, ?, ?, ?)");
                PreparedStatement rp = ref.prepareStatement("INSERT INTO payments VALUES (?, ?, ?, ?)")) {
            for (long p = 1; p <= 120; p++) {
                long creator = p % 23;
                String region = REGIONS[(int) (p % 3)];
                int amount = (int) ((p * 31) % 500);
                for (PreparedStatement x : List.of(ps, rp)) {
                    x.setLong(1, p);
                    x.setLong(2, creator);
                    x.setString(3, region);
                    x.setInt(4, amount);
                    assertThat(x.executeUpdate()).isEqualTo(1);
                }
            }
        }
        for (LogicalShard s : Placement.allShards(engine.routingState())) {
            try (Connection c = direct(s.location());
                    Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery("SELECT creator_id, region FROM " + qualified(s.location(), "payments"))) {
                while (rs.next()) {
                    assertThat(shardOf(rs.getLong(1), rs.getString(2))).isEqualTo(s);
                }
            }
        }
        List<String> queries = List.of(
                "SELECT payment_id, amount FROM payments ORDER BY amount DESC, payment_id LIMIT 7 OFFSET 3",
                "SELECT COUNT(*), SUM(amount), MIN(amount), MAX(amount) FROM payments",
                "SELECT region, COUNT(*), SUM(amount) FROM payments GROUP BY region ORDER BY region",
                "SELECT DISTINCT creator_id FROM payments ORDER BY creator_id",
                "SELECT payment_id, amount FROM payments WHERE creator_id = 5 AND region = 'US' ORDER BY payment_id",
                "SELECT COUNT(*) FROM payments WHERE creator_id IN (1, 2, 3)");
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                Statement st = c.createStatement()) {
            for (String q : queries) {
                try (ResultSet rs = st.executeQuery(q)) {
                    assertThat(rows(rs)).as(q).isEqualTo(onReference(q));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT AVG(amount) FROM payments")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBigDecimal(1))
                        .isCloseTo(
                                new BigDecimal(onReference("SELECT AVG(amount) FROM payments")
                                        .get(0)
                                        .get(0)),
                                org.assertj.core.data.Offset.offset(new BigDecimal("1e-4")));
            }
            assertThat(st.executeUpdate(
                            "UPDATE payments SET amount = amount + 1 WHERE creator_id = 4 AND region = 'EU'"))
                    .isEqualTo(Integer.parseInt(
                            onReference("SELECT COUNT(*) FROM payments WHERE creator_id = 4 AND region = 'EU'")
                                    .get(0)
                                    .get(0)));
        }
    }

    @Test
    void savepointsRollBackEveryDataSourceTheTransactionTouched() throws Exception {
        long a = creatorOn(sources().get(0).name());
        long b = creatorOn(sources().get(1).name());
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                PreparedStatement ins = c.prepareStatement(
                        "INSERT INTO payments (payment_id, creator_id, region, amount) VALUES (?, ?, 'EU', ?)");
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            pay(ins, 1, a);
            st.execute("SAVEPOINT before_b");
            // The second data source joins after the savepoint: a rollback to it must undo its write as well.
            pay(ins, 2, b);
            pay(ins, 3, a);
            st.execute("ROLLBACK TO SAVEPOINT before_b");
            Savepoint unnamed = c.setSavepoint();
            pay(ins, 4, b);
            c.rollback(unnamed);
            pay(ins, 5, b);
            Savepoint named = c.setSavepoint("after_five");
            pay(ins, 6, a);
            c.releaseSavepoint(named);
            assertThatThrownBy(() -> c.rollback(named))
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("3B001");
            assertThatThrownBy(() -> st.execute("ROLLBACK TO SAVEPOINT never_set"))
                    .hasMessageContaining("never_set")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("3B001");
            c.commit();
        }
        assertThat(countOn(shardOf(a, "EU"), 1)).isEqualTo(1);
        assertThat(countOn(shardOf(b, "EU"), 2)).isZero();
        assertThat(countOn(shardOf(a, "EU"), 3)).isZero();
        assertThat(countOn(shardOf(b, "EU"), 4)).isZero();
        assertThat(countOn(shardOf(b, "EU"), 5)).isEqualTo(1);
        assertThat(countOn(shardOf(a, "EU"), 6)).isEqualTo(1);
    }

    private static void pay(PreparedStatement ins, long paymentId, long creator) throws SQLException {
        ins.setLong(1, paymentId);
        ins.setLong(2, creator);
        ins.setInt(3, (int) paymentId * 10);
        assertThat(ins.executeUpdate()).isEqualTo(1);
    }

    @Test
    void unroutableStatementsGetAClearSqlState() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:vshard:" + config);
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELEC * FROM payments"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("SELEC")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("42601");
            assertThatThrownBy(() -> st.executeQuery(
                            "SELECT region, COUNT(*) FROM payments GROUP BY region HAVING COUNT(*) > 1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("HAVING")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("0A000");
            assertThatThrownBy(() -> st.executeUpdate("INSERT INTO payments VALUES (1, 2, 'EU', 3)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("payments")
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("0A000");
            // The connection stays usable after refused statements.
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM payments WHERE creator_id = 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    private long onReferenceCount(String where) throws SQLException {
        return Long.parseLong(onReference("SELECT COUNT(*) FROM payments WHERE " + where)
                .get(0)
                .get(0));
    }

    static boolean routerAvailable(Statement st) {
        try (ResultSet rs = st.executeQuery("SHOW SHARD VERSION")) {
            return rs.next();
        } catch (SQLException e) {
            return !e.getMessage().contains("statement routing");
        }
    }
}
