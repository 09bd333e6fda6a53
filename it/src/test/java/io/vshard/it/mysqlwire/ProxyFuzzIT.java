package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Over 100,000 random, truncated and oversized packets on many connections, before and after login, while
 * a well-behaved Connector/J client keeps querying: bad connections end, the good client never fails,
 * no Netty buffer leaks, and no backend connection is left behind.
 */
class ProxyFuzzIT {
    private static final int MAX_PACKET = 64 * 1024;
    private static final long TARGET_PACKETS = 100_000;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void badClientsDoNotHurtGoodOnes() throws Exception {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        String prefix;
        try (ProxyFixture proxy = new ProxyFixture(c -> c.withMaxPacketSize(MAX_PACKET))) {
            prefix = proxy.database;
            try (Connection c = proxy.app("");
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner_id BIGINT NOT NULL, balance INT)");
                for (int i = 0; i < 32; i++) {
                    s.execute("INSERT INTO accounts (id, owner_id, balance) VALUES (" + i + ", " + i + ", " + (i * 10)
                            + ")");
                }
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger goodQueries = new AtomicInteger();
            List<Throwable> goodFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread good = new Thread(() -> goodClient(proxy, stop, goodQueries, goodFailures));
            good.start();

            AtomicLong packets = new AtomicLong();
            AtomicInteger connections = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                long seed = 20251117L;
                while (packets.get() < TARGET_PACKETS) {
                    List<Future<?>> round = new ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        SplittableRandom random = new SplittableRandom(seed++);
                        round.add(pool.submit(() -> {
                            connections.incrementAndGet();
                            packets.addAndGet(fuzzOneConnection(proxy.port, random));
                            return null;
                        }));
                    }
                    for (Future<?> f : round) {
                        f.get(120, TimeUnit.SECONDS);
                    }
                }
            } finally {
                pool.shutdownNow();
                stop.set(true);
                good.join(30_000);
            }
            assertThat(packets.get()).isGreaterThanOrEqualTo(TARGET_PACKETS);
            assertThat(connections.get()).isGreaterThan(100);
            assertThat(goodFailures).isEmpty();
            assertThat(goodQueries.get()).isPositive();
            try (Connection c = proxy.app("");
                    ResultSet rs = c.createStatement().executeQuery("SELECT 7")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
        }
        assertThat(backendConnectionsEventually(prefix))
                .as("backend connections left open")
                .isZero();
        assertThat(newThreadsEventually(before)).as("threads left running").isEmpty();
        assertThat(LeakCounter.leaks()).as("netty buffer leaks").isZero();
    }

    /** Alternates an engine-path statement and a relayed single-shard read, checking every answer. */
    private static void goodClient(ProxyFixture proxy, AtomicBoolean stop, AtomicInteger ok, List<Throwable> fails) {
        try (Connection c = proxy.app("useServerPrepStmts=true");
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT ? + 1");
                java.sql.PreparedStatement relayed =
                        c.prepareStatement("SELECT balance FROM accounts WHERE owner_id = ?")) {
            int i = 0;
            while (!stop.get()) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) != i + 1) {
                        fails.add(new AssertionError("wrong answer " + rs.getInt(1)));
                    }
                }
                relayed.setInt(1, i % 32);
                try (ResultSet rs = relayed.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != (i % 32) * 10) {
                        fails.add(new AssertionError("wrong balance for owner " + (i % 32)));
                    }
                }
                ok.incrementAndGet();
                i++;
            }
        } catch (Throwable t) {
            fails.add(t);
        }
    }

    /** Runs one misbehaving connection; returns how many packets it managed to send. */
    private static long fuzzOneConnection(int port, SplittableRandom random) throws IOException {
        try (RawClient client = new RawClient(port)) {
            int mode = random.nextInt(4);
            switch (mode) {
                case 0 -> {
                    client.readPacket();
                    int sent = 0;
                    try {
                        for (int i = 0; i < 1 + random.nextInt(5); i++) {
                            client.writePacket(1 + i, randomBytes(random, random.nextInt(200)));
                            sent++;
                        }
                    } catch (IOException closedByServer) {
                        // expected: the server answers garbage with ERR and hangs up
                    }
                    assertThat(RawClient.drainUntilClosed(client.in)).isTrue();
                    return sent;
                }
                case 1 -> {
                    client.readPacket();
                    byte[] payload = randomBytes(random, 1 + random.nextInt(300));
                    int declared = payload.length + 1 + random.nextInt(1000);
                    client.out.write(new byte[] {(byte) declared, (byte) (declared >> 8), 0, 1});
                    client.out.write(payload);
                    client.out.flush();
                    return 1;
                }
                case 2 -> {
                    client.readPacket();
                    int declared = MAX_PACKET + 1 + random.nextInt(1 << 20);
                    client.out.write(new byte[] {(byte) declared, (byte) (declared >> 8), (byte) (declared >> 16), 1});
                    client.out.write(randomBytes(random, 100));
                    client.out.flush();
                    byte[] reply = client.readPacket();
                    assertThat(reply).isNotNull();
                    assertThat(reply[0] & 0xFF).isEqualTo(0xFF);
                    assertThat(RawClient.drainUntilClosed(client.in)).isTrue();
                    return 1;
                }
                default -> {
                    return afterLogin(client, random);
                }
            }
        }
    }

    /** Logs in properly, then sends random commands while a drain thread reads the answers. */
    private static long afterLogin(RawClient client, SplittableRandom random) throws IOException {
        byte[] ok = client.login("app", "app-secret");
        assertThat(ok).isNotNull();
        assertThat(ok[0]).isEqualTo((byte) 0);
        Thread drain = new Thread(() -> RawClient.drainUntilClosed(client.in));
        drain.start();
        long sent = 0;
        try {
            for (int i = 0; i < 2000; i++) {
                byte[] payload = randomCommand(random);
                if (random.nextInt(500) == 0) {
                    client.out.write(new byte[] {(byte) 200, 0, 0, 0, 1, 2});
                    client.out.flush();
                    return sent + 1;
                }
                client.writePacket(0, payload);
                sent++;
            }
        } catch (IOException closedByServer) {
            // a malformed command closes the connection; that is the expected outcome
        } finally {
            client.socket.close();
            try {
                drain.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return sent;
    }

    private static byte[] randomCommand(SplittableRandom random) {
        int[] commands = {0x00, 0x02, 0x03, 0x04, 0x0E, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1F, 0x99, 0xFF};
        int command = commands[random.nextInt(commands.length)];
        byte[] payload = randomBytes(random, 1 + random.nextInt(64));
        payload[0] = (byte) command;
        if (command == 0x03 && random.nextBoolean()) {
            String sql = random.nextBoolean()
                    ? "SELECT " + random.nextInt()
                    : "SELECT * FROM accounts WHERE owner_id = " + random.nextInt(40);
            return ("\3" + sql).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return payload;
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** Threads started since {@code before} that are still alive after a grace period (JVM-wide daemons aside). */
    private static List<String> newThreadsEventually(java.util.Set<Thread> before) throws InterruptedException {
        List<String> alive = List.of();
        for (int i = 0; i < 50; i++) {
            alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName)
                    .filter(n -> n.startsWith("vshard")
                            || n.contains("EventLoop")
                            || n.startsWith("HikariPool")
                            || n.startsWith("nioEventLoop")
                            || n.startsWith("multiThreadIoEventLoop"))
                    .toList();
            if (alive.isEmpty()) {
                return alive;
            }
            Thread.sleep(200);
        }
        return alive;
    }

    /** Backend sessions (engine pools and relay links) still open on any database of the fixture. */
    private static int backendConnectionsEventually(String prefix) throws SQLException, InterruptedException {
        int count = -1;
        for (int i = 0; i < 50; i++) {
            try (Connection c = DriverManager.getConnection(ProxyFixture.MARIADB + "?user=root");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB LIKE '" + prefix + "%'")) {
                rs.next();
                count = rs.getInt(1);
            }
            if (count == 0) {
                return 0;
            }
            Thread.sleep(200);
        }
        return count;
    }
}
