package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading a large relayed answer does not hold up other clients' reads on the backend link
 * they share: new reads avoid the held link, and reads already queued behind it get their answers after at most
 * the slow-client time, when the proxy disconnects the client that reads nothing. A slow client alone on its link
 * is never disconnected. One event loop and one link per data source, so the reads meet on one link.
 */
class SlowClientIT {
    /** 40,000 rows, about 8 MB, from the one shard of owner 5. */
    private static final String LARGE = "SELECT note FROM accounts WHERE owner_id = 5";

    private static final int LARGE_ROWS = 40_000;

    private static final String SMALL = "SELECT c FROM sbtest1 WHERE id = 5";
    private static final Map<String, String> SETTINGS = Map.of(
            "vshard.mysql.eventLoops", "1",
            "vshard.mysql.linksPerSource", "1",
            "vshard.mysql.slowClientBufferBytes", "1000000",
            "vshard.mysql.slowClientMillis", "1000");
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> before = new java.util.HashMap<>();
        SETTINGS.forEach((k, v) -> before.put(k, System.setProperty(k, v)));
        try {
            proxy = new ProxyFixture("connectTimeout=2000", UnaryOperator.identity(), Duration.ofSeconds(10));
        } finally {
            before.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
        proxy.createSbtest(8);
        try (java.sql.Connection c = proxy.app("");
                java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner_id BIGINT NOT NULL, note VARCHAR(200))");
            String note = "n".repeat(200);
            for (int from = 0; from < LARGE_ROWS; from += 2_000) {
                StringBuilder insert = new StringBuilder("INSERT INTO accounts (id, owner_id, note) VALUES ");
                for (int id = from; id < from + 2_000; id++) {
                    insert.append(id == from ? "" : ", ").append("(" + id + ", 5, '" + note + "')");
                }
                st.executeUpdate(insert.toString());
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        assertThat(LeakCounter.leaks()).as("netty buffer leaks").isZero();
    }

    private static RawClient client(int receiveBuffer) throws Exception {
        RawClient c = new RawClient(proxy.port, receiveBuffer);
        assertThat(c.login("app", "app-secret")[0]).isZero();
        return c;
    }

    @Test
    void aSlowClientAloneIsServedWhenItReadsAtLast() throws Exception {
        try (RawClient slow = client(4096)) {
            slow.query(LARGE);
            // Well past the slow-client time, with nobody waiting behind it: it keeps its connection.
            Thread.sleep(2_500);
            List<String> rows = slow.readRows();
            assertThat(rows).hasSize(LARGE_ROWS).allSatisfy(r -> assertThat(r).hasSize(200));
            slow.query(SMALL);
            assertThat(slow.readRows()).containsExactly("row-5");
        }
    }

    @Test
    void readsDoNotWaitForAClientThatStoppedReading() throws Exception {
        long closedBefore = proxy.server.relayCounts().slowClientsClosed();
        try (RawClient slow = client(4096);
                RawClient a = client(0);
                RawClient b = client(0)) {
            // a's read is sent at once behind the slow one's (pipelined on the one link, or on a fresh one when the
            // link already stopped); b's comes later, when the link has certainly stopped for the slow client.
            slow.query(LARGE);
            a.query(SMALL);
            long t = System.nanoTime();
            assertThat(a.readRows()).containsExactly("row-5");
            Thread.sleep(300);
            b.query(SMALL);
            assertThat(b.readRows()).containsExactly("row-5");
            assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(8));
            // Either way the slow client held nobody up; if a's read was queued behind it, it was disconnected.
            long closed = proxy.server.relayCounts().slowClientsClosed() - closedBefore;
            assertThat(closed).isBetween(0L, 1L);
            if (closed == 1) {
                assertThat(RawClient.drainUntilClosed(slow.in))
                        .as("the slow client's connection closed")
                        .isTrue();
            }
        }
        // The link serves on.
        try (RawClient c = client(0)) {
            c.query(SMALL);
            assertThat(c.readRows()).containsExactly("row-5");
        }
    }
}
