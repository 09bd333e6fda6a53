package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.proxy.pgwire.PgProxyServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What multiplexing on by default must not break (one event loop and one shared link per schema, so every session's
 * units meet on the same link): a long statement does not hold up other sessions' reads queued behind it, a shared
 * backend terminated under a statement fails that statement only (08006, naming the data source) and is replaced,
 * and session state (settings, advisory locks, temporary tables) keeps to the session's own backend.
 */
class SharedLinkSafetyIT {
    private static ShardedProxy fleet;
    private static PgProxyServer proxy;
    private static int port;
    /** Creators whose rows share one shard schema, hence one shared link. */
    private static List<Long> neighbours;

    @BeforeAll
    static void start() throws Exception {
        fleet = new ShardedProxy();
        proxy = fleet.multiplexedProxy();
        port = proxy.port();
        try (Connection c = fleet.admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id bigserial PRIMARY KEY, creator_id bigint NOT NULL,"
                    + " amount numeric(12,2))");
            for (int creator = 1; creator <= 40; creator++) {
                st.execute("INSERT INTO payments (creator_id, amount) VALUES (" + creator + ", " + creator + ".25)");
            }
        }
        neighbours = sameShard();
        assertThat(neighbours).as("creators sharing a shard").hasSizeGreaterThanOrEqualTo(3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        fleet.close();
    }

    private static Connection connect() throws SQLException {
        return connect("extended");
    }

    private static Connection connect(String queryMode) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", ShardedProxy.ADMIN);
        props.setProperty("preferQueryMode", queryMode);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + fleet.database(), props);
    }

    @Test
    void aLongStatementDoesNotHoldUpOtherSessionsReadsOnTheSameLink() throws Exception {
        long creator = neighbours.get(0);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<long[]>> others = new ArrayList<>();
        long retired = proxy.stats().sharedLinksRetired();
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            for (int t = 0; t < 3; t++) {
                long other = neighbours.get(1 + t % (neighbours.size() - 1));
                others.add(pool.submit(() -> pointReads(other, stop)));
            }
            Thread.sleep(300);
            long started = System.nanoTime();
            try (ResultSet rs =
                    st.executeQuery("SELECT pg_sleep(2), amount FROM payments WHERE creator_id = " + creator)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(new BigDecimal(creator + ".25"));
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(2000);
            Thread.sleep(300);
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        for (Future<long[]> f : others) {
            long[] result = f.get(30, TimeUnit.SECONDS);
            assertThat(result[0]).as("rounds").isGreaterThan(10);
            // Without moving them off, a read queued behind the 2 s statement would take 2 s.
            assertThat(result[1]).as("slowest read, ms").isLessThan(1200);
        }
        assertThat(proxy.stats().sharedLinksRetired()).isGreaterThan(retired);
    }

    @Test
    void aLongStatementMovedOffRunsOnceItsCopyLeftBehindIsCancelled() throws Exception {
        long creator = neighbours.get(0);
        // Simple Queries: the unit itself, not a Parse of its statement, queues behind the first on the shared link.
        try (Connection first = connect("simple");
                Connection second = connect("simple");
                Statement st1 = first.createStatement();
                Statement st2 = second.createStatement()) {
            for (int i = 0; i < 5; i++) {
                // Opens the shared link (the first units run on the sessions' own while it opens).
                timed(st1, "SELECT amount FROM payments WHERE creator_id = " + creator);
                Thread.sleep(20);
            }
            long retired = proxy.stats().sharedLinksRetired();
            CompletableFuture<Long> shortOne = CompletableFuture.supplyAsync(
                    () -> timed(st1, "SELECT pg_sleep(1), amount FROM payments WHERE creator_id = " + creator));
            Thread.sleep(200);
            CompletableFuture<Long> longOne = CompletableFuture.supplyAsync(
                    () -> timed(st2, "SELECT pg_sleep(3), amount FROM payments WHERE creator_id = " + creator));
            assertThat(shortOne.get(10, TimeUnit.SECONDS)).isBetween(1000L, 2500L);
            Thread.sleep(500);
            // Moved off the link held by the first, it runs on another; the copy queued behind the first is cancelled.
            assertThat(running("SELECT pg_sleep(3)%"))
                    .as("backends running the long statement")
                    .isEqualTo(1);
            assertThat(longOne.get(10, TimeUnit.SECONDS)).isBetween(3000L, 4500L);
            assertThat(proxy.stats().sharedLinksRetired()).isGreaterThan(retired);
        }
    }

    /** Runs {@code sql} (one row expected); how long it took, ms. */
    private static long timed(Statement st, String sql) {
        long started = System.nanoTime();
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /** Backends of the fleet running a statement like {@code pattern} now. */
    private static int running(String pattern) throws SQLException {
        try (Connection c = fleet.direct("a");
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE query LIKE ?"
                        + " AND state = 'active' AND pid <> pg_backend_pid() AND datname LIKE ?")) {
            ps.setString(1, pattern);
            ps.setString(2, fleet.database("%"));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Reads {@code creator}'s row (prepared, past pgjdbc's prepare threshold) until {@code stop}: rounds, slowest ms. */
    private static long[] pointReads(long creator, AtomicBoolean stop) throws SQLException {
        long rounds = 0;
        long slowest = 0;
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("SELECT amount FROM payments WHERE creator_id = ?")) {
            while (!stop.get()) {
                long started = System.nanoTime();
                ps.setLong(1, creator);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(new BigDecimal(creator + ".25"));
                    assertThat(rs.next()).isFalse();
                }
                slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                rounds++;
            }
        }
        return new long[] {rounds, slowest};
    }

    @Test
    void aTerminatedSharedBackendFailsOnlyItsStatementWith08006AndIsReplaced() throws Exception {
        long creator = neighbours.get(0);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<long[]>> others = new ArrayList<>();
        // A simple Query: the unit itself (no Parse of its statement first) runs on the shared link.
        try (Connection c = connect("simple");
                Statement st = c.createStatement()) {
            for (int t = 0; t < 3; t++) {
                long other = neighbours.get(1 + t % (neighbours.size() - 1));
                others.add(pool.submit(() -> pointReads(other, stop)));
            }
            for (int i = 0; i < 10; i++) {
                // The shared link is open before the statement comes (the first units run privately while it opens).
                try (ResultSet rs = st.executeQuery("SELECT amount FROM payments WHERE creator_id = " + creator)) {
                    assertThat(rs.next()).isTrue();
                }
                Thread.sleep(50);
            }
            CompletableFuture<Integer> killed =
                    CompletableFuture.supplyAsync(() -> terminate("SELECT pg_sleep(5)%", "active"));
            assertThatThrownBy(() ->
                            st.executeQuery("SELECT pg_sleep(5), amount FROM payments WHERE creator_id = " + creator))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> {
                        assertThat(((SQLException) e).getSQLState()).isEqualTo("08006");
                        assertThat(e.getMessage()).contains("pg_");
                    });
            assertThat(killed.get(10, TimeUnit.SECONDS))
                    .as("backends terminated")
                    .isEqualTo(1);
            stop.set(true);
            for (Future<long[]> f : others) {
                // A neighbour whose read met the terminated backend would have thrown here.
                assertThat(f.get(30, TimeUnit.SECONDS)[0]).isPositive();
            }
            // The session lives on, and so do idle shared links that are terminated: their next units run elsewhere.
            assertThat(terminate("SELECT amount FROM payments WHERE creator_id%", "idle"))
                    .isPositive();
            // pg_terminate_backend only signals: a statement sent before the backend has gone would meet it dying,
            // which is the case above, not this one. Wait for the backends to exit, then for the proxy to see it.
            awaitGone("SELECT amount FROM payments WHERE creator_id%", "idle");
            Thread.sleep(200);
            for (int i = 0; i < 20; i++) {
                try (ResultSet rs = st.executeQuery("SELECT amount FROM payments WHERE creator_id = " + creator)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(new BigDecimal(creator + ".25"));
                }
            }
            long after = proxy.stats().multiplexedStatements();
            Thread.sleep(300);
            for (int i = 0; i < 20; i++) {
                try (ResultSet rs = st.executeQuery("SELECT amount FROM payments WHERE creator_id = " + creator)) {
                    assertThat(rs.next()).isTrue();
                }
            }
            assertThat(proxy.stats().multiplexedStatements())
                    .as("a replaced shared link")
                    .isGreaterThan(after);
        } finally {
            stop.set(true);
            pool.shutdown();
        }
    }

    /** Terminates the fleet's backends in {@code state} whose current or last statement is like {@code pattern}. */
    private static int terminate(String pattern, String state) {
        try (Connection c = fleet.direct("a");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(pg_terminate_backend(pid)) FROM"
                                + " pg_stat_activity WHERE query LIKE ? AND pid <> pg_backend_pid() AND datname LIKE ? AND state = ?")) {
            for (int i = 0; i < 100; i++) {
                ps.setString(1, pattern);
                ps.setString(2, fleet.database("%"));
                ps.setString(3, state);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return rs.getInt(1);
                    }
                }
                Thread.sleep(50);
            }
            return 0;
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits (at most 10 s) until no backend of the fleet in {@code state} runs a query like {@code pattern}. */
    private static void awaitGone(String pattern, String state) throws Exception {
        try (Connection c = fleet.direct("a");
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE query LIKE ?"
                        + " AND pid <> pg_backend_pid() AND datname LIKE ? AND state = ?")) {
            ps.setString(1, pattern);
            ps.setString(2, fleet.database("%"));
            ps.setString(3, state);
            for (int i = 0; i < 200; i++) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("backends running " + pattern + " still " + state + " after 10 s");
    }

    @Test
    void settingsAdvisoryLocksAndTemporaryTablesKeepToTheSessionsOwnBackend() throws Exception {
        long creator = neighbours.get(0);
        try (Connection mine = connect();
                Connection other = connect();
                Statement st = mine.createStatement();
                Statement ot = other.createStatement()) {
            st.execute("SET statement_timeout = 200");
            assertThatThrownBy(() ->
                            st.executeQuery("SELECT pg_sleep(1), amount FROM payments WHERE creator_id = " + creator))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("57014");
            try (ResultSet rs =
                    ot.executeQuery("SELECT pg_sleep(0.5), amount FROM payments WHERE creator_id = " + creator)) {
                assertThat(rs.next())
                        .as("the other session has no statement_timeout")
                        .isTrue();
            }
            st.execute("RESET statement_timeout");
            try (ResultSet rs =
                    st.executeQuery("SELECT pg_advisory_lock(4242) FROM payments WHERE creator_id = " + creator)) {
                assertThat(rs.next()).isTrue();
            }
            try (ResultSet rs =
                    ot.executeQuery("SELECT pg_try_advisory_lock(4242) FROM payments WHERE creator_id = " + creator)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("held by the first session").isFalse();
            }
            try (ResultSet rs =
                    st.executeQuery("SELECT pg_advisory_unlock(4242) FROM payments WHERE creator_id = " + creator)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("unlocked by its holder").isTrue();
            }
            try (ResultSet rs = st.executeQuery("SHOW search_path")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void aTemporaryTableIsSeenByItsSessionOnly() throws Exception {
        try (Connection mine = connect();
                Connection other = connect();
                Statement st = mine.createStatement();
                Statement ot = other.createStatement()) {
            st.execute("CREATE TEMP TABLE scratch (x int)");
            st.execute("INSERT INTO scratch VALUES (7)");
            try (ResultSet rs = st.executeQuery("SELECT x FROM scratch")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
            assertThatThrownBy(() -> ot.executeQuery("SELECT x FROM scratch"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("42P01");
        }
    }

    /** Creators 1-40 whose rows sit in one shard schema (the one holding the most of them). */
    private static List<Long> sameShard() throws SQLException {
        List<Long> best = List.of();
        for (String db : List.of("a", "b")) {
            try (Connection c = fleet.direct(db);
                    Statement st = c.createStatement()) {
                for (int shard = 0; shard < 8; shard++) {
                    List<Long> creators = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery(
                            String.format("SELECT DISTINCT creator_id FROM shard_%03d.payments ORDER BY 1", shard))) {
                        while (rs.next()) {
                            creators.add(rs.getLong(1));
                        }
                    } catch (SQLException e) {
                        // This database does not hold that shard.
                        continue;
                    }
                    if (creators.size() > best.size()) {
                        best = creators;
                    }
                }
            }
        }
        return best;
    }
}
