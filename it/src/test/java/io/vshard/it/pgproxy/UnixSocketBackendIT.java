package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data sources whose URL names PostgreSQL's Unix socket ({@code ?unixSocket=...}): the proxy's direct reads reach
 * the shard over that socket (PostgreSQL sees no client address), pgjdbc and psql get the same answers as over
 * TCP, and a socket where nothing listens makes the proxy fall back to the engine instead of failing statements.
 */
class UnixSocketBackendIT {
    private static final String SOCKET_DIR = "/var/run/postgresql";
    private static final String PSQL =
            Files.exists(Path.of("/usr/lib/postgresql/15/bin/psql")) ? "/usr/lib/postgresql/15/bin/psql" : "psql";

    private static void seed(ShardedProxy fleet) throws SQLException {
        try (Connection c = fleet.admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id bigserial PRIMARY KEY, creator_id bigint NOT NULL,"
                    + " amount numeric(12,2), note text, body bytea)");
            for (int creator = 1; creator <= 20; creator++) {
                st.execute("INSERT INTO payments (creator_id, amount, note, body) VALUES (" + creator + ", " + creator
                        + ".50, 'note " + creator + "', '\\x00ff')");
            }
        }
    }

    /** Every row of {@code creator}, read eight times (past pgjdbc's prepare threshold, so binary too). */
    private static List<String> read(Connection c, long creator) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int run = 0; run < 8; run++) {
            out.clear();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT payment_id, creator_id, amount, note, body FROM payments WHERE creator_id = ?")) {
                ps.setLong(1, creator);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getLong(2) + "|" + rs.getBigDecimal(3) + "|" + rs.getString(4) + "|"
                                + HexFormat.of().formatHex(rs.getBytes(5)));
                    }
                }
            }
        }
        return out;
    }

    private static Connection connect(ShardedProxy fleet, String mode) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", ShardedProxy.ADMIN);
        props.setProperty("password", ShardedProxy.ADMIN_PASSWORD);
        props.setProperty("preferQueryMode", mode);
        return DriverManager.getConnection(fleet.url(), props);
    }

    /**
     * How many connections to data source {@code suffix} came over a Unix socket (PostgreSQL shows no client
     * address for them). Only the proxy's raw links can: the engine's pgjdbc pools and this check use TCP.
     */
    private static int unixConnections(ShardedProxy fleet, String suffix) throws SQLException {
        try (Connection c = fleet.direct(suffix);
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE datname = ? AND backend_type = 'client backend' AND client_addr IS NULL")) {
            ps.setString(1, fleet.database(suffix));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "simple", "extendedForPrepared"})
    void directReadsGoOverTheSocketWithTheSameAnswers(String mode) throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of(SOCKET_DIR, ".s.PGSQL.5432")), "PostgreSQL's Unix socket");
        try (ShardedProxy fleet = new ShardedProxy("?unixSocket=" + SOCKET_DIR + "/.s.PGSQL.5432")) {
            seed(fleet);
            long before = fleet.server.stats().directStatements();
            try (Connection c = connect(fleet, mode)) {
                for (long creator = 1; creator <= 20; creator++) {
                    assertThat(read(c, creator))
                            .as("creator %d", creator)
                            .containsOnly(creator + "|" + creator + ".50|note " + creator + "|00ff")
                            .hasSize(1);
                }
                assertThat(fleet.server.stats().directStatements() - before)
                        .as("reads went the direct path")
                        .isGreaterThanOrEqualTo(160);
                assertThat(unixConnections(fleet, "a") + unixConnections(fleet, "b"))
                        .as("the proxy's raw connections over the socket")
                        .isPositive();
            }
        }
    }

    @Test
    void aSocketDirectoryWorksAsLibpqsHostDoesAndPsqlGetsItsAnswers() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of(SOCKET_DIR, ".s.PGSQL.5432")), "PostgreSQL's Unix socket");
        try (ShardedProxy fleet = new ShardedProxy("?unixSocket=" + SOCKET_DIR)) {
            seed(fleet);
            long before = fleet.server.stats().directStatements();
            ProcessBuilder psql = new ProcessBuilder(
                            PSQL,
                            "-X",
                            "-At",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(fleet.port),
                            "-U",
                            ShardedProxy.ADMIN,
                            "-c",
                            "SELECT note FROM payments WHERE creator_id = 7",
                            "-c",
                            "SELECT amount FROM payments WHERE creator_id = 12",
                            fleet.database())
                    .redirectErrorStream(true);
            psql.environment().put("PGPASSWORD", ShardedProxy.ADMIN_PASSWORD);
            Process p = psql.start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output.lines()).containsExactly("note 7", "12.50");
            assertThat(fleet.server.stats().directStatements() - before).isGreaterThanOrEqualTo(2);
            assertThat(unixConnections(fleet, "a") + unixConnections(fleet, "b"))
                    .as("the proxy's raw connections over the socket")
                    .isPositive();
        }
    }

    @Test
    void aSocketWhereNothingListensFallsBackToTheEngine() throws Exception {
        Path nowhere = Files.createTempDirectory("vshard-no-pg");
        try (ShardedProxy fleet = new ShardedProxy("?unixSocket=" + nowhere)) {
            seed(fleet);
            long before = fleet.server.stats().directStatements();
            try (Connection c = connect(fleet, "extended")) {
                for (long creator = 1; creator <= 5; creator++) {
                    assertThat(read(c, creator))
                            .as("creator %d", creator)
                            .containsOnly(creator + "|" + creator + ".50|note " + creator + "|00ff");
                }
            }
            assertThat(fleet.server.stats().directStatements() - before)
                    .as("no statement went the direct path")
                    .isZero();
            assertThat(unixConnections(fleet, "a") + unixConnections(fleet, "b"))
                    .isZero();
        } finally {
            Files.deleteIfExists(nowhere);
        }
    }
}
