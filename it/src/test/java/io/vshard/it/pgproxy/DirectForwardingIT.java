package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.proxy.pgwire.EngineConnector;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgProxyServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Single-shard reads forwarded at the wire level: the same answers as the engine path (a second proxy over the
 * same engine with direct forwarding off), session settings that survive, transactions that stay on the engine,
 * backend errors with their SQLSTATE, and cancels that reach the backend.
 */
class DirectForwardingIT {
    private static final String SELECT_ONE = "SELECT payment_id, creator_id, amount, paid_at, body, ref, meta, tags,"
            + " ratio, done, day, span FROM payments WHERE creator_id = ? ORDER BY payment_id";
    private static ShardedProxy fleet;
    private static PgProxyServer engineOnly;
    private static int engineOnlyPort;

    @BeforeAll
    static void start() throws Exception {
        fleet = new ShardedProxy();
        engineOnly = new PgProxyServer(
                PgProxyConfig.of(PgAuthMethod.SCRAM_SHA_256, EngineConnector.users(fleet.config.users()))
                        .withDirectForwarding(false),
                new EngineConnector(fleet.engine, fleet.config.users()));
        engineOnlyPort = engineOnly.start(0);
        try (Connection c = fleet.admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id bigserial PRIMARY KEY, creator_id bigint NOT NULL,"
                    + " amount numeric(12,2), paid_at timestamptz, body bytea, ref uuid, meta jsonb, tags text[],"
                    + " ratio float8, done boolean, day date, span interval)");
            for (int creator = 1; creator <= 40; creator++) {
                st.execute("INSERT INTO payments (creator_id, amount, paid_at, body, ref, meta, tags, ratio, done,"
                        + " day, span) VALUES (" + creator + ", " + creator + ".25, '2025-11-17 10:30:15.123456+00',"
                        + " '\\x00ff" + String.format("%02x", creator) + "', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a"
                        + (10 + creator)
                        + "', '{\"k\": [" + creator + ", 2]}', ARRAY['a', 'b " + creator + "'], " + creator
                        + ".1, " + (creator % 2 == 0) + ", '2025-01-" + String.format("%02d", 1 + creator % 28) + "', '"
                        + creator + " days 02:00:00')");
            }
            st.execute("INSERT INTO payments (creator_id) VALUES (41)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        engineOnly.close();
        fleet.close();
    }

    private static Connection engineOnly(Properties extra) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", ShardedProxy.ADMIN);
        props.setProperty("password", ShardedProxy.ADMIN_PASSWORD);
        props.putAll(extra);
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + engineOnlyPort + "/" + fleet.database(), props);
    }

    private static Connection direct(Properties extra) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", ShardedProxy.ADMIN);
        props.setProperty("password", ShardedProxy.ADMIN_PASSWORD);
        props.putAll(extra);
        return DriverManager.getConnection(fleet.url(), props);
    }

    private static Properties mode(String mode) {
        Properties p = new Properties();
        p.setProperty("preferQueryMode", mode);
        return p;
    }

    /** Every row as text, with the column labels and type names first. */
    private static List<String> read(Connection c, long creator) throws SQLException {
        List<String> out = new ArrayList<>();
        // Seven runs pass pgjdbc's prepareThreshold, so named statements and binary transfer are covered too.
        for (int run = 0; run < 7; run++) {
            out.clear();
            try (PreparedStatement ps = c.prepareStatement(SELECT_ONE)) {
                ps.setLong(1, creator);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        // The type code, not the name: pgjdbc names a column "bigserial" only when the answer
                        // carries its table (as the backend's does and the engine's does not).
                        out.add(md.getColumnLabel(i) + ":" + md.getColumnType(i));
                    }
                    while (rs.next()) {
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            Object value = rs.getObject(i);
                            out.add(
                                    value instanceof byte[] bytes
                                            ? HexFormat.of().formatHex(bytes)
                                            : String.valueOf(rs.getString(i)));
                        }
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple", "extendedForPrepared"})
    void singleShardReadsAnswerAsTheEnginePathDoes(String mode) throws Exception {
        long before = fleet.server.stats().directStatements();
        long undecodedBefore = fleet.server.stats().undecodedStatements();
        try (Connection viaDirect = direct(mode(mode));
                Connection viaEngine = engineOnly(mode(mode))) {
            for (long creator = 1; creator <= 41; creator += 4) {
                List<String> expected = read(viaEngine, creator);
                assertThat(expected).as("creator %d has a row", creator).hasSizeGreaterThan(12);
                assertThat(read(viaDirect, creator)).as("creator %d", creator).isEqualTo(expected);
            }
        }
        assertThat(fleet.server.stats().directStatements() - before)
                .as("reads went the direct path")
                .isGreaterThanOrEqualTo(11 * 7);
        // A simple Query, or the Bind/Execute/Sync of a statement prepared before, goes on as the client's bytes.
        assertThat(fleet.server.stats().undecodedStatements() - undecodedBefore)
                .as("reads sent on undecoded")
                .isGreaterThanOrEqualTo(11);
        assertThat(engineOnly.stats().directStatements()).isZero();
    }

    /**
     * An answer of many megabytes arrives in many socket reads, with frames cut at read boundaries, and fills the
     * client's socket so the relay must wait for it: every row comes through once and in order.
     */
    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple"})
    void aLargeAnswerIsRelayedWhole(String mode) throws Exception {
        long before = fleet.server.stats().directStatements();
        try (Connection c = direct(mode(mode));
                PreparedStatement ps = c.prepareStatement(
                        "SELECT g, repeat(chr(97 + g % 26), 300 + g % 700) FROM generate_series(1, ?) g")) {
            ps.setInt(1, 30_000);
            long rows = 0;
            long characters = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    int g = rs.getInt(1);
                    String text = rs.getString(2);
                    assertThat(g).isEqualTo(rows);
                    assertThat(text).hasSize(300 + g % 700).startsWith(String.valueOf((char) (97 + g % 26)));
                    characters += text.length();
                }
            }
            assertThat(rows).isEqualTo(30_000);
            assertThat(characters).isGreaterThan(10_000_000L);
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1))
                        .as("the session goes on after the large answer")
                        .isEqualTo(1);
            }
        }
        assertThat(fleet.server.stats().directStatements() - before)
                .as("the large read went the direct path")
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void sessionSettingsFollowTheSessionOntoTheBackend() throws Exception {
        try (Connection c = direct(new Properties());
                Statement st = c.createStatement()) {
            assertThat(paidAt(st)).isEqualTo("2025-11-17 10:30:15.123456+00");
            st.execute("SET TIME ZONE 'America/New_York'");
            long before = fleet.server.stats().directStatements();
            assertThat(paidAt(st)).isEqualTo("2025-11-17 05:30:15.123456-05");
            assertThat(fleet.server.stats().directStatements()).isGreaterThan(before);
            st.execute("RESET TIME ZONE");
            assertThat(paidAt(st)).isEqualTo("2025-11-17 10:30:15.123456+00");
            st.execute("SET TIME ZONE 'Asia/Kolkata'");
            assertThat(paidAt(st)).isEqualTo("2025-11-17 16:00:15.123456+05:30");
        }
        for (int session = 0; session < 3; session++) {
            try (Connection other = direct(new Properties());
                    Statement st = other.createStatement()) {
                assertThat(paidAt(st))
                        .as("a later session (maybe on a pooled backend connection) starts from the defaults")
                        .isEqualTo("2025-11-17 10:30:15.123456+00");
            }
        }
    }

    @Test
    void aBackendConnectionThatWentAwayIsReplaced() throws Exception {
        try (Connection c = direct(new Properties());
                Statement st = c.createStatement()) {
            int first = backendPid(st);
            String source = sourceOf(first);
            try (Connection d = fleet.direct(source);
                    Statement kill = d.createStatement()) {
                kill.execute("SELECT pg_terminate_backend(" + first + ")");
            }
            TimeUnit.MILLISECONDS.sleep(300);
            int second = backendPid(st);
            assertThat(second).as("a new backend connection").isNotEqualTo(first);
            assertThat(paidAt(st)).isEqualTo("2025-11-17 10:30:15.123456+00");
        }
    }

    private static int backendPid(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid() FROM payments WHERE creator_id = 9")) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    /** Which of the fleet's databases ({@code a} or {@code b}) runs the backend process {@code pid}. */
    private static String sourceOf(int pid) throws SQLException {
        try (Connection d = fleet.direct("a");
                Statement st = d.createStatement();
                ResultSet rs = st.executeQuery("SELECT datname FROM pg_stat_activity WHERE pid = " + pid)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1).endsWith("_a") ? "a" : "b";
        }
    }

    @Test
    void backendConnectionsOutliveTheirSessions() throws Exception {
        java.util.Set<Integer> backends = new java.util.HashSet<>();
        for (int session = 0; session < 10; session++) {
            try (Connection c = direct(new Properties());
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_backend_pid() FROM payments WHERE creator_id = 9")) {
                assertThat(rs.next()).isTrue();
                backends.add(rs.getInt(1));
            }
            // The connection goes back to the pool after the proxy saw the client leave and DISCARD ALL ran.
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertThat(backends).as("ten sessions, fewer backend connections").hasSizeLessThan(10);
    }

    @Test
    void searchPathSetOnTheDefaultShardIsReplayed() throws Exception {
        try (Connection d = fleet.direct("a");
                Statement st = d.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS extra");
            st.execute("CREATE TABLE IF NOT EXISTS extra.only_here (v text)");
            st.execute("INSERT INTO extra.only_here VALUES ('found')");
        }
        try (Connection c = direct(new Properties());
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT v FROM only_here"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("42P01");
            st.execute("SET search_path TO extra, public");
            try (ResultSet rs = st.executeQuery("SELECT v FROM only_here")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("found");
            }
            assertThat(paidAt(st))
                    .as("sharded tables still resolve in their shard")
                    .isNotNull();
        }
    }

    private static String paidAt(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT paid_at::text FROM payments WHERE creator_id = 3")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void readsInATransactionBlockSeeItsOwnWrites() throws Exception {
        try (Connection c = direct(new Properties());
                PreparedStatement insert =
                        c.prepareStatement("INSERT INTO payments (creator_id, amount) VALUES (?, 7)");
                PreparedStatement count = c.prepareStatement("SELECT count(*) FROM payments WHERE creator_id = ?")) {
            c.setAutoCommit(false);
            insert.setLong(1, 500);
            insert.executeUpdate();
            count.setLong(1, 500);
            assertThat(single(count))
                    .as("the uncommitted row, on the transaction's connection")
                    .isEqualTo(1);
            c.rollback();
            c.setAutoCommit(true);
            assertThat(single(count)).isZero();
        }
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple"})
    void backendErrorsKeepTheirSqlStateAndTheSessionGoesOn(String mode) throws Exception {
        try (Connection c = direct(mode(mode));
                PreparedStatement ps =
                        c.prepareStatement("SELECT 1 / (creator_id - ?) FROM payments" + " WHERE creator_id = ?")) {
            long before = fleet.server.stats().directStatements();
            ps.setLong(1, 5);
            ps.setLong(2, 5);
            assertThatThrownBy(ps::executeQuery)
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("22012");
            try (Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.executeQuery("SELECT no_such_column FROM payments WHERE creator_id = 5"))
                        .isInstanceOf(SQLException.class)
                        .extracting(e -> ((SQLException) e).getSQLState())
                        .isEqualTo("42703");
            }
            assertThat(fleet.server.stats().directStatements() - before).isGreaterThanOrEqualTo(2);
            ps.setLong(1, 0);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void aCancelReachesTheBackendOfADirectRead() throws Exception {
        try (Connection c = direct(new Properties());
                Statement st = c.createStatement()) {
            long before = fleet.server.stats().directStatements();
            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    TimeUnit.MILLISECONDS.sleep(700);
                    st.cancel();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long started = System.nanoTime();
            assertThatThrownBy(() -> st.executeQuery("SELECT pg_sleep(30) FROM payments WHERE creator_id = 7"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("57014");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
                    .isLessThan(20);
            cancel.get(10, TimeUnit.SECONDS);
            assertThat(fleet.server.stats().directStatements()).isGreaterThan(before);
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM payments WHERE creator_id = 7")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }
}
