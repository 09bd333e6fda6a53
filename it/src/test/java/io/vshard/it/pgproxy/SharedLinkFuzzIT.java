package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.it.pgwire.WireFuzz;
import io.vshard.proxy.pgwire.EngineConnector;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgProxyServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The wire fuzz test against the sharded proxy with multiplexing on: well over 100,000 random, malformed, truncated
 * and oversized frames (among them direct reads that go to shared links, some failing) over thousands of
 * connections while well-behaved pgjdbc clients keep reading their own rows through the same shared links. Every
 * fuzzed connection is closed with well-framed answers, the good clients always get exactly their rows, and after
 * the proxy stops no raw backend connection, worker thread or Netty buffer is left behind.
 */
class SharedLinkFuzzIT {

    private static final int CONNECTIONS = 2_400;
    private static final String[] DIRECT = {
        "SELECT amount FROM payments WHERE creator_id = 3",
        "SELECT amount FROM payments WHERE creator_id = $1",
        "SELECT amount / 0 FROM payments WHERE creator_id = 5",
        "SELECT no_such_column FROM payments WHERE creator_id = $1",
        "SELECT pg_sleep(0.01), amount FROM payments WHERE creator_id = 6"
    };

    @Test
    void randomFramesNeverHurtClientsSharingBackendLinks() throws Exception {
        Queue<String> leaks = new ConcurrentLinkedQueue<>();
        WireFuzz.installLeakListener(leaks);
        long seed = System.nanoTime();
        String[] sql = Stream.concat(Arrays.stream(WireFuzz.SQL), Arrays.stream(DIRECT))
                .toArray(String[]::new);
        try (ShardedProxy fleet = new ShardedProxy()) {
            try (Connection c = fleet.admin();
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE payments (payment_id bigserial PRIMARY KEY, creator_id bigint NOT NULL,"
                        + " amount numeric(12,2))");
                for (int creator = 1; creator <= 20; creator++) {
                    st.execute(
                            "INSERT INTO payments (creator_id, amount) VALUES (" + creator + ", " + creator + ".25)");
                }
            }
            PgProxyServer proxy = new PgProxyServer(
                    PgProxyConfig.of(PgAuthMethod.TRUST, EngineConnector.users(fleet.config.users()))
                            .withMaxMessageSize(64 * 1024)
                            .withIdleTimeout(Duration.ofSeconds(20))
                            .withMultiplexing(true),
                    new EngineConnector(fleet.engine, fleet.config.users()));
            try {
                fuzz(fleet, proxy, proxy.start(0), seed, sql);
            } finally {
                proxy.close();
            }
        }
        // After the fleet (whose own proxy keeps idle workers for a minute) is closed too: no worker outlives its
        // proxy.
        WireFuzz.awaitNoProxyWorkers();
        WireFuzz.assertNoBufferLeaks(leaks);
    }

    private static void fuzz(ShardedProxy fleet, PgProxyServer proxy, int port, long seed, String[] sql)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong goodQueries = new AtomicLong();
        AtomicLong frames = new AtomicLong();
        AtomicInteger fatal = new AtomicInteger();
        AtomicInteger expectedFatal = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<?>> good = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int first = 1 + t * 10;
            good.add(pool.submit(() -> wellBehaved(port, fleet.database(), first, stop, goodQueries)));
        }
        List<Future<?>> fuzzers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            long threadSeed = seed + t;
            fuzzers.add(pool.submit(() -> {
                Random random = new Random(threadSeed);
                WireFuzz fuzzer = new WireFuzz(ShardedProxy.ADMIN, sql);
                for (int c = 0; c < CONNECTIONS / 8; c++) {
                    fuzzer.fuzzOne(port, fleet.database(), random, frames, fatal, expectedFatal);
                }
                return null;
            }));
        }
        for (Future<?> f : fuzzers) {
            f.get(15, TimeUnit.MINUTES);
        }
        stop.set(true);
        for (Future<?> f : good) {
            f.get(1, TimeUnit.MINUTES);
        }
        pool.shutdown();
        long multiplexed = proxy.stats().multiplexedStatements();
        System.out.printf(
                "SharedLinkFuzzIT seed=%d frames=%d fatal=%d expectedFatal=%d goodQueries=%d multiplexed=%d%n",
                seed, frames.get(), fatal.get(), expectedFatal.get(), goodQueries.get(), multiplexed);
        assertThat(frames.get()).as("seed %d", seed).isGreaterThanOrEqualTo(100_000);
        assertThat(fatal.get()).as("seed %d", seed).isGreaterThanOrEqualTo(expectedFatal.get());
        assertThat(goodQueries.get()).isPositive();
        assertThat(multiplexed).as("units on shared links").isGreaterThan(goodQueries.get() / 2);
        WireFuzz.awaitUntil(() -> proxy.connections() == 0);
        proxy.close();
        WireFuzz.awaitUntil(() -> rawLinks(fleet) == 0);
    }

    /** Reads rows of creators {@code first..first+9} until {@code stop}, checking each is exactly its own. */
    private static Void wellBehaved(int port, String database, int first, AtomicBoolean stop, AtomicLong count)
            throws Exception {
        Properties props = new Properties();
        props.setProperty("user", ShardedProxy.ADMIN);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
                PreparedStatement ps =
                        c.prepareStatement("SELECT creator_id, amount FROM payments WHERE creator_id = ?")) {
            int i = 0;
            while (!stop.get()) {
                int creator = first + i % 10;
                ps.setLong(1, creator);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(creator);
                    assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(new BigDecimal(creator + ".25"));
                    assertThat(rs.next()).isFalse();
                }
                count.incrementAndGet();
                i++;
            }
        }
        return null;
    }

    /** The proxy's raw backend connections still open to the fleet's databases. */
    private static int rawLinks(ShardedProxy fleet) {
        try (Connection admin = DriverManager.getConnection(ShardedProxy.SERVER + "postgres", "postgres", "");
                Statement st = admin.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                        + " 'vshard-proxy' AND datname IN ('" + fleet.database("a") + "', '" + fleet.database("b")
                        + "')")) {
            rs.next();
            return rs.getInt(1);
        } catch (Exception e) {
            return -1;
        }
    }
}
