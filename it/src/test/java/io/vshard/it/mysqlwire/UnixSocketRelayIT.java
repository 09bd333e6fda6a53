package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A data source whose URL names the server's Unix socket ({@code localSocket=}, the MariaDB driver's option):
 * the relay connects to that socket too, while the other data source stays on TCP. Which one each relayed read
 * used is read from MariaDB's process list: a socket connection's host is {@code localhost}, a TCP one's
 * {@code 127.0.0.1:<port>}.
 */
class UnixSocketRelayIT {
    private static final int ROWS = 64;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        String socket;
        try (Connection c = ProxyFixture.direct();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@socket")) {
            rs.next();
            socket = rs.getString(1);
        }
        proxy = new ProxyFixture("connectTimeout=2000&localSocket=" + socket, UnaryOperator.identity());
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
    void relayedReadsReachEachDataSourceTheWayItsUrlSays() throws Exception {
        long relayed = proxy.server.relayCounts().relayed();
        Map<String, Integer> hosts = new HashMap<>();
        try (Connection c = proxy.app("useServerPrepStmts=true");
                PreparedStatement byId = c.prepareStatement("SELECT c, CONNECTION_ID() FROM sbtest1 WHERE id = ?");
                Connection direct = ProxyFixture.direct();
                PreparedStatement host =
                        direct.prepareStatement("SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = ?")) {
            for (int id = 1; id <= ROWS; id++) {
                byId.setInt(1, id);
                long backend;
                try (ResultSet rs = byId.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("row-" + id);
                    backend = rs.getLong(2);
                }
                host.setLong(1, backend);
                try (ResultSet rs = host.executeQuery()) {
                    assertThat(rs.next())
                            .as("the relay's backend connection is open")
                            .isTrue();
                    String h = rs.getString(1);
                    hosts.merge(
                            h.equals("localhost") ? "socket" : h.startsWith("127.0.0.1:") ? "tcp" : h, 1, Integer::sum);
                }
            }
        }
        assertThat(proxy.server.relayCounts().relayed() - relayed)
                .as("every read was relayed")
                .isEqualTo(ROWS);
        assertThat(hosts.keySet())
                .as("my_a over TCP, my_b over its Unix socket")
                .containsExactlyInAnyOrder("socket", "tcp");
    }
}
