package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Prepared point reads (MySQL Connector/J with server prepares, so COM_STMT_EXECUTE) take the direct path: the
 * statement's route is planned once, each execution decodes only the shard-key parameter, and the backend's
 * packets reach the client unchanged; the rows are right whatever position the key has. Once a next manifest is
 * published (a migration in the making, when a key may live in two places) the same statements run through the
 * engine instead, with the same answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointReadRelayIT {
    private static final String SERVER_PREPARES = "useServerPrepStmts=true";
    private static final int ROWS = 64;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture();
        proxy.createSbtest(ROWS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        assertThat(LeakCounter.leaks()).as("netty buffer leaks").isZero();
    }

    @Test
    @Order(1)
    void preparedPointReadsTakeTheDirectPath() throws SQLException {
        long relayed = proxy.server.relayCounts().relayed();
        long points = proxy.server.relayCounts().pointReads();
        try (Connection c = proxy.app(SERVER_PREPARES);
                PreparedStatement byId = c.prepareStatement("SELECT id, k, c FROM sbtest1 WHERE id = ?");
                PreparedStatement keySecond = c.prepareStatement("SELECT c FROM sbtest1 WHERE k = ? AND id = ?")) {
            for (int id = 1; id <= ROWS; id++) {
                byId.setInt(1, id);
                assertThat(one(byId)).isEqualTo(id + " " + id * 10 + " row-" + id);
                keySecond.setInt(1, id * 10);
                keySecond.setLong(2, id);
                assertThat(one(keySecond)).isEqualTo("row-" + id);
                keySecond.setInt(1, id * 10 + 1);
                assertThat(one(keySecond))
                        .as("the other parameter still filters")
                        .isNull();
            }
            assertThat(proxy.server.relayCounts().pointReads() - points)
                    .as("every execution was routed from its statement's cached route and relayed")
                    .isEqualTo(3L * ROWS);
            byId.setString(1, "7");
            assertThat(one(byId)).as("a key sent as text").isEqualTo("7 70 row-7");
            byId.setInt(1, 100_000);
            assertThat(one(byId)).as("a key with no row").isNull();
            assertThat(proxy.server.relayCounts().pointReads() - points).isEqualTo(3L * ROWS + 2);
            long before = proxy.server.relayCounts().relayed();
            byId.setNull(1, Types.INTEGER);
            assertThat(one(byId)).as("a NULL key: the engine asks every shard").isNull();
            assertThat(proxy.server.relayCounts().relayed())
                    .as("a NULL key is not relayed")
                    .isEqualTo(before);
        }
        assertThat(proxy.server.relayCounts().relayed() - relayed).isEqualTo(3L * ROWS + 2);
    }

    @Test
    @Order(2)
    void aPublishedMigrationSendsTheSameReadsThroughTheEngine() throws Exception {
        try (Connection c = proxy.app(SERVER_PREPARES);
                PreparedStatement byId = c.prepareStatement("SELECT id, k, c FROM sbtest1 WHERE id = ?")) {
            byId.setInt(1, 3);
            assertThat(one(byId)).isEqualTo("3 30 row-3");
            long relayed = proxy.server.relayCounts().relayed();
            assertThat(relayed).as("relayed before the migration").isPositive();
            proxy.publishNextManifest();
            for (int id = 1; id <= ROWS; id++) {
                byId.setInt(1, id);
                assertThat(one(byId)).isEqualTo(id + " " + id * 10 + " row-" + id);
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT c FROM sbtest1 WHERE id = 5")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("row-5");
            }
            assertThat(proxy.server.relayCounts().relayed())
                    .as("nothing bypasses the engine while a migration is published")
                    .isEqualTo(relayed);
        }
    }

    /** The one row's columns joined by spaces, or {@code null} when there is none. */
    private static String one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.append(i == 1 ? "" : " ").append(rs.getString(i));
            }
            assertThat(rs.next()).as("one row").isFalse();
            return out.toString();
        }
    }
}
