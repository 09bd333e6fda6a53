package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgUser;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
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
import org.junit.jupiter.api.Test;

/**
 * Sends well over 100,000 random, malformed, truncated and oversized frames over thousands of connections while a
 * well-behaved pgjdbc client keeps working. Every fuzzed connection must be closed by the proxy (with a FATAL
 * ErrorResponse whenever the proxy could read the bad frame), every answer must be well-framed, and afterwards no
 * backend connection, worker thread or Netty buffer may be left behind.
 */
class WireFuzzIT {

    private static final int CONNECTIONS = 2_400;

    @Test
    void randomFramesNeverHurtAWellBehavedClient() throws Exception {
        Queue<String> leaks = new ConcurrentLinkedQueue<>();
        WireFuzz.installLeakListener(leaks);
        PgProxyConfig config = PgProxyConfig.of(
                        PgAuthMethod.TRUST, List.of(PgUser.fromPassword(ProxyFixture.USER, ProxyFixture.PASSWORD)))
                .withMaxMessageSize(64 * 1024)
                .withIdleTimeout(Duration.ofSeconds(20));
        long seed = System.nanoTime();
        try (ProxyFixture fixture = new ProxyFixture(config)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong goodQueries = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(9);
            Future<?> good = pool.submit(() -> wellBehaved(fixture, stop, goodQueries));
            AtomicLong frames = new AtomicLong();
            AtomicInteger fatal = new AtomicInteger();
            AtomicInteger expectedFatal = new AtomicInteger();
            List<Future<?>> fuzzers = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long threadSeed = seed + t;
                fuzzers.add(pool.submit(() -> {
                    Random random = new Random(threadSeed);
                    WireFuzz fuzzer = new WireFuzz(ProxyFixture.USER, WireFuzz.SQL);
                    for (int c = 0; c < CONNECTIONS / 8; c++) {
                        fuzzer.fuzzOne(fixture.port, fixture.database, random, frames, fatal, expectedFatal);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fuzzers) {
                f.get(10, TimeUnit.MINUTES);
            }
            stop.set(true);
            good.get(1, TimeUnit.MINUTES);
            pool.shutdown();

            System.out.printf(
                    "WireFuzzIT seed=%d frames=%d fatal=%d expectedFatal=%d goodQueries=%d%n",
                    seed, frames.get(), fatal.get(), expectedFatal.get(), goodQueries.get());
            assertThat(frames.get()).as("seed %d", seed).isGreaterThanOrEqualTo(100_000);
            assertThat(fatal.get()).as("seed %d", seed).isGreaterThanOrEqualTo(expectedFatal.get());
            assertThat(goodQueries.get()).isPositive();
            WireFuzz.awaitUntil(() -> fixture.server.connections() == 0);
            WireFuzz.awaitUntil(() -> WireFuzz.backendConnections(fixture.database) == 0);
            fixture.server.close();
            WireFuzz.awaitNoProxyWorkers();
        }
        WireFuzz.assertNoBufferLeaks(leaks);
    }

    private static Void wellBehaved(ProxyFixture fixture, AtomicBoolean stop, AtomicLong count) throws Exception {
        try (Connection c = fixture.connect();
                PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1, repeat('x', ?)")) {
            int i = 0;
            while (!stop.get()) {
                ps.setInt(1, i);
                ps.setInt(2, i % 100);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(i + 1);
                    assertThat(rs.getString(2)).hasSize(i % 100);
                }
                count.incrementAndGet();
                i++;
            }
        }
        return null;
    }
}
