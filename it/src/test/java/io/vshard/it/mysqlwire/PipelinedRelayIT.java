package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Point reads of many clients share the proxy's backend links (pipelined: written behind each other, responses
 * split in order). With MySQL Connector/J clients using server prepares (COM_STMT_EXECUTE) and client-side ones
 * (COM_QUERY) at once: every client gets its own rows; a read the backend refuses fails for its client only; a
 * client's open transaction and session settings never reach the shared links (other clients neither see its
 * uncommitted row nor its SET); and clients that disconnect with a read in flight leave the links working.
 */
class PipelinedRelayIT {
    private static final int ROWS = 200;
    private static final int READERS = 8;
    private static final int ROUNDS = 400;
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
    void concurrentClientsShareLinksWithoutSeeingEachOther() throws Exception {
        long pipelined = proxy.server.relayCounts().pipelined();
        long relayed = proxy.server.relayCounts().relayed();
        ExecutorService pool = Executors.newFixedThreadPool(READERS + 2);
        AtomicBoolean readersDone = new AtomicBoolean();
        CountDownLatch uncommitted = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(READERS);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                boolean serverPrepares = r % 2 == 0;
                int seed = r;
                readers.add(pool.submit(() -> read(serverPrepares, seed, uncommitted, checked)));
            }
            Future<?> writer = pool.submit(() -> {
                holdUncommittedRow(uncommitted, checked);
                return null;
            });
            Future<Integer> quitters = pool.submit(() -> disconnectMidRead(readersDone));
            int refused = 0;
            for (Future<Integer> f : readers) {
                refused += f.get(180, TimeUnit.SECONDS);
            }
            readersDone.set(true);
            writer.get(60, TimeUnit.SECONDS);
            assertThat(quitters.get(60, TimeUnit.SECONDS))
                    .as("clients that left mid-read")
                    .isPositive();
            assertThat(refused)
                    .as("reads the backend refused, each to its own client")
                    .isEqualTo(READERS * 10);
        } finally {
            pool.shutdownNow();
        }
        assertThat(proxy.server.relayCounts().relayed() - relayed)
                .as("the readers' point reads were relayed")
                .isGreaterThan((long) READERS * ROUNDS / 2);
        assertThat(proxy.server.relayCounts().pipelined() - pipelined)
                .as("reads of different clients were in flight on one backend link at once")
                .isPositive();
        try (Connection c = proxy.app("useServerPrepStmts=true");
                PreparedStatement ps = c.prepareStatement("SELECT k, c FROM sbtest1 WHERE id = ?")) {
            for (int id = 1; id <= ROWS; id++) {
                ps.setInt(1, id);
                assertThat(row(ps))
                        .as("the links still answer right after the churn")
                        .isEqualTo(id * 10 + " row-" + id);
            }
        }
    }

    /**
     * Point reads checked row by row, with every 40th read one the backend refuses (unknown column); returns the
     * number of refusals seen. Halfway, while another client holds an uncommitted change of row 1 and a session
     * setting, checks that this client sees neither.
     */
    private static int read(boolean serverPrepares, int seed, CountDownLatch uncommitted, CountDownLatch checked)
            throws Exception {
        int refused = 0;
        try (Connection c = proxy.app("useServerPrepStmts=" + serverPrepares);
                PreparedStatement byId = c.prepareStatement("SELECT k, c FROM sbtest1 WHERE id = ?");
                PreparedStatement bad = c.prepareStatement("SELECT k, nosuch FROM sbtest1 WHERE id = ?")) {
            for (int i = 0; i < ROUNDS; i++) {
                int id = 1 + (seed * 37 + i * 13) % ROWS;
                if (i == ROUNDS / 2) {
                    assertThat(uncommitted.await(60, TimeUnit.SECONDS)).isTrue();
                    byId.setInt(1, 1);
                    assertThat(row(byId))
                            .as("another client's uncommitted change and SET are not visible here")
                            .isEqualTo("10 row-1");
                    checked.countDown();
                }
                if (i % 40 == 39) {
                    bad.setInt(1, id);
                    assertThatThrownBy(bad::executeQuery)
                            .isInstanceOf(SQLException.class)
                            .satisfies(e -> assertThat(((SQLException) e).getErrorCode())
                                    .isEqualTo(1054))
                            .hasMessageContaining("nosuch");
                    refused++;
                    continue;
                }
                byId.setInt(1, id);
                assertThat(row(byId)).isEqualTo(id * 10 + " row-" + id);
            }
        }
        return refused;
    }

    /**
     * Changes row 1 in a transaction and sets {@code sql_select_limit = 0} for its session, and keeps both until
     * every reader checked that it sees neither; its own reads see both.
     */
    private static void holdUncommittedRow(CountDownLatch uncommitted, CountDownLatch checked) throws Exception {
        try (Connection c = proxy.app("useServerPrepStmts=true");
                Statement s = c.createStatement();
                PreparedStatement byId = c.prepareStatement("SELECT k, c FROM sbtest1 WHERE id = ?")) {
            c.setAutoCommit(false);
            assertThat(s.executeUpdate("UPDATE sbtest1 SET k = -1, c = 'dirty' WHERE id = 1"))
                    .isEqualTo(1);
            byId.setInt(1, 1);
            assertThat(row(byId)).as("the transaction sees its own change").isEqualTo("-1 dirty");
            s.execute("SET SESSION sql_select_limit = 0");
            uncommitted.countDown();
            assertThat(checked.await(120, TimeUnit.SECONDS)).isTrue();
            assertThat(row(byId)).as("its own setting applies to its own reads").isNull();
            c.rollback();
        }
    }

    /**
     * Clients that send a relayed read and close the socket before the answer, over and over until the readers
     * are done; returns how many did.
     */
    private static int disconnectMidRead(AtomicBoolean done) throws Exception {
        int n = 0;
        while (!done.get()) {
            try (RawClient client = new RawClient(proxy.port)) {
                assertThat(client.login("app", "app-secret")[0]).isEqualTo((byte) 0);
                client.writePacket(0, ("\u0002" + proxy.database).getBytes(StandardCharsets.UTF_8));
                assertThat(client.readPacket()[0]).as("COM_INIT_DB").isEqualTo((byte) 0);
                int id = 1 + n % ROWS;
                client.socket.setSoLinger(true, 0); // a reset right behind the command: gone before the answer
                client.writePacket(
                        0, ("\u0003SELECT k, c FROM sbtest1 WHERE id = " + id).getBytes(StandardCharsets.UTF_8));
            }
            n++;
        }
        return n;
    }

    /** The one row's columns joined by a space, or {@code null} when there is none. */
    private static String row(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            String out = rs.getString(1) + " " + rs.getString(2);
            assertThat(rs.next()).as("one row").isFalse();
            return out;
        }
    }
}
