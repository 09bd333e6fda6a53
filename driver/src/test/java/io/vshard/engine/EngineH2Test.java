package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.config.ConfigReader;
import io.vshard.config.VShardConfig;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.sql.AdminCommand;
import io.vshard.sql.Merge;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.TouchedKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on two in-memory H2 databases with 8 logical shards, driven by hand-built route plans. */
class EngineH2Test {
    private static final int SHARDS = 8;
    private final String id = UUID.randomUUID().toString().replace("-", "");
    private Engine engine;
    private Session session;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put("h2a", "jdbc:h2:mem:a" + id);
        urls.put("h2b", "jdbc:h2:mem:b" + id);
        Path config = Fleet.write(
                dir,
                urls,
                SHARDS,
                // Six shards on a pool of four (read by pool-size workers), two on the other (streamed).
                List.of(new PlacementRule(0, 5, "h2a", "shard_%03d"), new PlacementRule(6, 7, "h2b", "shard_%03d")),
                "h2a",
                "PUBLIC");
        VShardConfig c = ConfigReader.read(config);
        engine = Engine.start(c, EngineOptions.DEFAULT);
        engine.createShardSchemas();
        session = engine.openSession();
        session.execute(
                new RoutePlan.EveryShard(
                        "CREATE TABLE payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT, amount INT)",
                        List.of(),
                        true),
                StatementOptions.DEFAULT);
    }

    @AfterEach
    void stop() {
        session.close();
        engine.close();
    }

    private LogicalShard shardOf(long creator) {
        return Placement.locate(
                        engine.routingState(), engine.config().tables().find("payments"), ShardKey.of(creator), null)
                .writeTarget();
    }

    private Result insert(long paymentId, long creator, int amount) throws SQLException {
        ShardStatement s = new ShardStatement(
                shardOf(creator),
                "INSERT INTO payments VALUES (?, ?, ?)",
                List.of(paymentId, creator, amount),
                List.of(new TouchedKey("payments", creator, null, null)));
        return session.execute(new RoutePlan.Sharded(List.of(s), Merge.NONE, true, false), StatementOptions.DEFAULT);
    }

    private RoutePlan.Sharded everywhere(String sql, Merge merge) {
        List<ShardStatement> all = new ArrayList<>();
        for (LogicalShard s : Placement.allShards(engine.routingState())) {
            all.add(new ShardStatement(s, sql, List.of(), List.of()));
        }
        return new RoutePlan.Sharded(all, merge, false, false);
    }

    private int countDirect(LogicalShard shard) throws SQLException {
        String url = "jdbc:h2:mem:" + (shard.location().dataSource().equals("h2a") ? "a" : "b") + id;
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT COUNT(*) FROM \"" + shard.location().schema() + "\".payments")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void rowsLandOnThePlacementShardAndFanOutMerges() throws Exception {
        for (long p = 1; p <= 40; p++) {
            assertThat(insert(p, p % 13, (int) (p * 3)).updateCount()).isEqualTo(1);
        }
        int total = 0;
        for (LogicalShard s : Placement.allShards(engine.routingState())) {
            int expected = 0;
            for (long p = 1; p <= 40; p++) {
                expected += shardOf(p % 13).equals(s) ? 1 : 0;
            }
            assertThat(countDirect(s)).as("rows on %s", s).isEqualTo(expected);
            total += expected;
        }
        assertThat(total).isEqualTo(40);

        Merge top = new Merge(List.of(new Merge.SortKey(0, true, false)), 2, 5, List.of(), List.of(), false, 2);
        Result r = session.execute(
                everywhere("SELECT amount, payment_id FROM payments ORDER BY amount DESC LIMIT 7", top),
                StatementOptions.DEFAULT);
        List<Integer> amounts = new ArrayList<>();
        try (ResultSet rs = r.rows()) {
            assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
            while (rs.next()) {
                amounts.add(rs.getInt(1));
            }
        }
        assertThat(amounts).containsExactly(114, 111, 108, 105, 102);

        Merge sums = new Merge(
                List.of(),
                0,
                -1,
                List.of(),
                List.of(
                        new Merge.Aggregate(0, Merge.Function.COUNT, -1),
                        new Merge.Aggregate(1, Merge.Function.AVG, 2)),
                false,
                2);
        Result agg = session.execute(
                everywhere("SELECT COUNT(*), SUM(amount), COUNT(amount) FROM payments", sums),
                StatementOptions.DEFAULT);
        try (ResultSet rs = agg.rows()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(40);
            assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("61.5");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void concurrentFanOutsNeitherDeadlockNorLeakConnections() throws Exception {
        for (long p = 1; p <= 64; p++) {
            insert(p, p, 1);
        }
        Merge count = new Merge(
                List.of(), 0, -1, List.of(), List.of(new Merge.Aggregate(0, Merge.Function.COUNT, -1)), false, 1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                results.add(pool.submit(() -> {
                    long sum = 0;
                    try (Session s = engine.openSession()) {
                        for (int i = 0; i < 15; i++) {
                            Result r = s.execute(
                                    everywhere("SELECT COUNT(*) FROM payments", count), StatementOptions.DEFAULT);
                            try (ResultSet rs = r.rows()) {
                                rs.next();
                                sum += rs.getLong(1);
                            }
                        }
                    }
                    return sum;
                }));
            }
            for (java.util.concurrent.Future<Long> f : results) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(15 * 64L);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String ds : List.of("h2a", "h2b")) {
            DataSourcePool p = engine.dataSources().pool(ds);
            assertThat(p.acquire(p.size()))
                    .as("every permit of %s came back", ds)
                    .isTrue();
            p.release(p.size());
        }
    }

    @Test
    void singleShardReadPassesThroughAndReleasesItsConnection() throws Exception {
        insert(1, 5, 10);
        ShardStatement s = new ShardStatement(
                shardOf(5), "SELECT amount FROM payments WHERE creator_id = ?", List.of(5L), List.of());
        for (int i = 0; i < 20; i++) {
            Result r = session.execute(
                    new RoutePlan.Sharded(List.of(s), Merge.NONE, false, false), StatementOptions.DEFAULT);
            try (ResultSet rs = r.rows()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(10);
            } finally {
                r.resources().close();
            }
        }
        DataSourcePool pool = engine.dataSources().pool(shardOf(5).location().dataSource());
        assertThat(pool.acquire(pool.size())).as("every permit came back").isTrue();
        pool.release(pool.size());
    }

    private long sessionId(Session on, LogicalShard shard) throws Exception {
        ShardStatement s = new ShardStatement(shard, "SELECT SESSION_ID()", List.of(), List.of());
        Result r = on.execute(new RoutePlan.Sharded(List.of(s), Merge.NONE, false, false), StatementOptions.DEFAULT);
        try (ResultSet rs = r.rows()) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        } finally {
            r.resources().close();
        }
    }

    @Test
    void aSessionKeepsItsConnectionBetweenStatementsUntilAnotherSessionNeedsIt() throws Exception {
        LogicalShard onA = shardOf(firstCreatorOn("h2a"));
        DataSourcePool pool = engine.dataSources().pool("h2a");
        long first = sessionId(session, onA);
        assertThat(sessionId(session, onA))
                .as("the parked connection serves the next statement")
                .isEqualTo(first);
        // More sessions than the pool (4) has connections: each statement takes a parked connection back from
        // an idle session instead of waiting out the connect timeout (10 s).
        List<Session> others = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < 2 * pool.size(); i++) {
                Session other = engine.openSession();
                others.add(other);
                sessionId(other, onA);
            }
            insert(1, firstCreatorOn("h2a"), 7);
            for (Session other : others) {
                sessionId(other, onA);
            }
        } finally {
            others.forEach(Session::close);
        }
        assertThat((System.nanoTime() - started) / 1_000_000L)
                .as("ms; no statement waited")
                .isLessThan(5_000);
        // A transaction takes a connection of its own; the session's parked one goes back first.
        session.setAutoCommit(false);
        insert(2, firstCreatorOn("h2a"), 7);
        session.commit();
        session.setAutoCommit(true);
        assertThat(pool.acquire(pool.size())).as("every permit came back").isTrue();
        pool.release(pool.size());
    }

    @Test
    void parkedConnectionsNeitherDeadlockNorLeakUnderConcurrentSessions() throws Exception {
        LogicalShard onA = shardOf(firstCreatorOn("h2a"));
        Merge count = new Merge(
                List.of(), 0, -1, List.of(), List.of(new Merge.Aggregate(0, Merge.Function.COUNT, -1)), false, 1);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int n = t;
                results.add(threads.submit(() -> {
                    int done = 0;
                    try (Session s = engine.openSession()) {
                        for (int i = 0; i < 200; i++) {
                            if ((i + n) % 50 == 0) {
                                // a fan-out needs every permit of the pool at once
                                Result r = s.execute(
                                        everywhere("SELECT COUNT(*) FROM payments", count), StatementOptions.DEFAULT);
                                try (ResultSet rs = r.rows()) {
                                    rs.next();
                                }
                            } else {
                                sessionId(s, onA);
                            }
                            done++;
                        }
                    }
                    return done;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : results) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            threads.shutdownNow();
        }
        DataSourcePool pool = engine.dataSources().pool("h2a");
        assertThat(pool.acquire(pool.size())).as("every permit came back").isTrue();
        pool.release(pool.size());
    }

    @Test
    void preparedPointReadsRunWhereTheirFullPlanSendsThem() throws Exception {
        for (long p = 1; p <= 40; p++) {
            insert(p, p % 17, (int) p);
        }
        StatementOptions prepared = new StatementOptions(true, 0, 0, 0, false, List.of());
        String point = "SELECT amount FROM payments WHERE creator_id = ? AND payment_id = ?";
        KeyedStatement keyed = engine.keyedStatement(point);
        assertThat(keyed).as("a point select on the shard key is a keyed read").isNotNull();
        for (long p = 1; p <= 40; p++) {
            List<Object> params = List.of(p % 17, p);
            RoutePlan.Sharded full = (RoutePlan.Sharded) engine.plan(point, params);
            ShardStatement fast = keyed.statement(params, new long[1]);
            assertThat(fast.shard())
                    .isEqualTo(shardOf(p % 17))
                    .isEqualTo(full.statements().get(0).shard());
            assertThat(fast.sql()).isEqualTo(full.statements().get(0).sql());
            assertThat(fast.schemaQualified())
                    .isEqualTo(full.statements().get(0).schemaQualified());
            Result r = session.execute(point, params, prepared);
            try (ResultSet rs = r.rows()) {
                assertThat(rs.next()).as("payment %d", p).isTrue();
                assertThat(rs.getInt(1)).isEqualTo((int) p);
                assertThat(rs.next()).isFalse();
            } finally {
                r.resources().close();
            }
        }
        // A NULL key scatters: no keyed shard, the full plan answers (no row matches).
        List<Object> nullKey = new ArrayList<>(java.util.Arrays.asList(null, 3L));
        assertThat(keyed.statement(nullKey, new long[1])).isNull();
        Result none = session.execute(point, nullKey, prepared);
        try (ResultSet rs = none.rows()) {
            assertThat(rs.next()).isFalse();
        } finally {
            if (none.resources() != null) {
                none.resources().close();
            }
        }
        // Not keyed: the key is not a parameter, or no key at all; they are planned in full as before.
        assertThat(engine.keyedStatement("SELECT amount FROM payments WHERE payment_id = ?"))
                .isNull();
        assertThat(engine.keyedStatement("UPDATE payments SET amount = ? WHERE creator_id = ?"))
                .isNull();
        Result scan = session.execute("SELECT amount FROM payments WHERE payment_id = ?", List.of(7L), prepared);
        try (ResultSet rs = scan.rows()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(7);
        } finally {
            if (scan.resources() != null) {
                scan.resources().close();
            }
        }
        // An invalid key gets the full plan's error.
        assertThatThrownBy(() -> session.execute(point, List.of("not a key", 1L), prepared))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("22P02");
    }

    @Test
    void preparedKeyedInsertsWriteWhereTheirFullPlanSendsThem() throws Exception {
        StatementOptions prepared = StatementOptions.PREPARED;
        String insert = "INSERT INTO payments (payment_id, creator_id, amount) VALUES (?, ?, ?)";
        KeyedStatement keyed = engine.keyedStatement(insert);
        assertThat(keyed)
                .as("a single-row INSERT with the key as a parameter is keyed")
                .isNotNull();
        assertThat(keyed.writes()).isTrue();
        long[] epoch = new long[1];
        for (long p = 1; p <= 40; p++) {
            List<Object> params = List.of(p, p % 13, (int) p);
            RoutePlan.Sharded full = (RoutePlan.Sharded) engine.plan(insert, params);
            ShardStatement fast = keyed.statement(params, epoch);
            ShardStatement planned = full.statements().get(0);
            assertThat(fast.shard()).isEqualTo(shardOf(p % 13)).isEqualTo(planned.shard());
            assertThat(fast.sql()).isEqualTo(planned.sql());
            assertThat(fast.schemaQualified()).isEqualTo(planned.schemaQualified());
            assertThat(fast.touchedKeys()).as("the journal's keys").isEqualTo(planned.touchedKeys());
            assertThat(fast.parameters()).isEqualTo(planned.parameters());
            assertThat(epoch[0]).isEqualTo(engine.view().epoch());
            assertThat(session.execute(insert, params, prepared).updateCount()).isEqualTo(1);
        }
        for (long c = 0; c < 13; c++) {
            long expected = 0;
            for (long p = 1; p <= 40; p++) {
                expected += p % 13 == c ? 1 : 0;
            }
            Result r = session.execute(
                    "SELECT COUNT(*) FROM payments WHERE creator_id = ?", List.of(c), StatementOptions.PREPARED);
            try (ResultSet rs = r.rows()) {
                rs.next();
                assertThat(rs.getLong(1)).as("creator %d", c).isEqualTo(expected);
            } finally {
                r.resources().close();
            }
        }
        // A NULL key or a missing key parameter is the full plan's: refused with its SQLSTATE.
        List<Object> nullKey = new ArrayList<>(java.util.Arrays.asList(99L, null, 1));
        assertThat(keyed.statement(nullKey, epoch)).isNull();
        assertThatThrownBy(() -> session.execute(insert, nullKey, prepared))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("NULL");
        assertThat(keyed.statement(List.of(99L), epoch)).isNull();
        // Not keyed: several rows, the key as a literal or computed; planned in full as before.
        assertThat(engine.keyedStatement(
                        "INSERT INTO payments (payment_id, creator_id, amount) VALUES (?, ?, ?), (?, ?, ?)"))
                .isNull();
        assertThat(engine.keyedStatement("INSERT INTO payments (payment_id, creator_id, amount) VALUES (?, 5, ?)"))
                .isNull();
        assertThat(engine.keyedStatement("INSERT INTO payments (payment_id, creator_id, amount) VALUES (?, ? + 1, ?)"))
                .isNull();
    }

    @Test
    void aSessionReusesItsPreparedShardStatementsWithoutSharingAnOpenOne() throws Exception {
        for (long p = 1; p <= 6; p++) {
            insert(p, 3, (int) p);
        }
        String read = "SELECT amount FROM payments WHERE creator_id = ? AND payment_id = ?";
        for (long p = 1; p <= 6; p++) {
            Result r = session.execute(read, List.of(3L, p), StatementOptions.PREPARED);
            try (ResultSet rs = r.rows()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo((int) p);
            } finally {
                r.resources().close();
            }
        }
        // A parameter left unbound fails as on a fresh statement (the lease keeps the text's statement), not with the
        // previous execution's value.
        assertThatThrownBy(() -> session.execute(read, List.of(3L), StatementOptions.PREPARED))
                .isInstanceOf(SQLException.class);
        // Two results of the same text open at once, in and out of a transaction: each reads its own rows.
        for (boolean autoCommit : new boolean[] {true, false}) {
            session.setAutoCommit(autoCommit);
            Result first = session.execute(read, List.of(3L, 1L), StatementOptions.PREPARED);
            Result second = session.execute(read, List.of(3L, 2L), StatementOptions.PREPARED);
            try (ResultSet a = first.rows();
                    ResultSet b = second.rows()) {
                assertThat(b.next()).isTrue();
                assertThat(a.next()).isTrue();
                assertThat(a.getInt(1)).isEqualTo(1);
                assertThat(b.getInt(1)).isEqualTo(2);
            } finally {
                first.resources().close();
                second.resources().close();
            }
            session.setAutoCommit(true);
        }
    }

    @Test
    void aTransactionWritingTwoDataSourcesIsRefusedAndRolledBack() throws Exception {
        long onA = firstCreatorOn("h2a");
        long onB = firstCreatorOn("h2b");
        session.setAutoCommit(false);
        insert(1, onA, 1);
        insert(2, onA + SHARDS, 1);
        assertThatThrownBy(() -> insert(3, onB, 1))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("multi-shard write transactions are not supported yet")
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("0A000");
        session.rollback();
        assertThat(countDirect(shardOf(onA))).isZero();

        session.setAutoCommit(false);
        insert(4, onA, 1);
        insert(5, onA + 1, 1);
        session.commit();
        session.setAutoCommit(true);
        assertThat(countDirect(shardOf(onA)) + countDirect(shardOf(onA + 1))).isEqualTo(2);
    }

    @Test
    void backendErrorsKeepTheirSqlState() throws Exception {
        insert(1, 1, 1);
        assertThatThrownBy(() -> insert(1, 1, 1))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("23505");
    }

    @Test
    void writesHeldFailRetryably() {
        ShardStatement s = new ShardStatement(shardOf(1), "DELETE FROM payments", List.of(), List.of());
        assertThatThrownBy(() -> session.execute(
                        new RoutePlan.Sharded(List.of(s), Merge.NONE, true, true), StatementOptions.DEFAULT))
                .isInstanceOf(java.sql.SQLTransientException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("40001");
    }

    @Test
    void showShardVersionAnswersFromTheControlStore() throws Exception {
        Result r = session.execute(
                new RoutePlan.Admin(new AdminCommand(AdminCommand.Kind.SHOW_SHARD_VERSION, null)),
                StatementOptions.DEFAULT);
        try (ResultSet rs = r.rows()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("active_version")).isEqualTo(1);
            assertThat(rs.getString("manifest_hash")).hasSize(64);
            assertThat(rs.getInt("routers")).isGreaterThanOrEqualTo(1);
        }
        assertThatThrownBy(() -> session.execute(
                        new RoutePlan.Admin(new AdminCommand(AdminCommand.Kind.START_MIGRATION, null)),
                        StatementOptions.DEFAULT))
                .hasMessageContaining("START MIGRATION needs a published next version")
                .hasMessageContaining("PUBLISH MANIFEST");
    }

    private long firstCreatorOn(String dataSource) {
        for (long c = 0; ; c++) {
            if (shardOf(c).location().dataSource().equals(dataSource)) {
                return c;
            }
        }
    }
}
