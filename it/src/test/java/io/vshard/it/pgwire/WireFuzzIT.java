package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgUser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
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
    private static final int FRAMES_PER_CONNECTION = 48;
    private static final String[] NAMES = {"", "s1", "p1", "nope"};
    private static final String[] SQL = {
        "SELECT 1",
        "SELECT $1::int",
        "SELECT $1, $2",
        "",
        "SELEC 1",
        "SELECT 1; SELECT 2",
        "BEGIN",
        "ROLLBACK",
        "COMMIT",
        "SELECT 1/0",
        "SELECT g FROM generate_series(1, 20) g",
        "SET application_name = 'fuzz'",
        "SELECT '\u00fc' || $1"
    };
    private static final int[] OIDS = {0, 16, 17, 20, 23, 25, 1700, 1114, 1184, 2950, 3802, 1007, 999_999};

    @Test
    void randomFramesNeverHurtAWellBehavedClient() throws Exception {
        Queue<String> leaks = new ConcurrentLinkedQueue<>();
        installLeakListener(leaks);
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
                    for (int c = 0; c < CONNECTIONS / 8; c++) {
                        fuzzOne(fixture.port, fixture.database, random, frames, fatal, expectedFatal);
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
            awaitUntil(() -> fixture.server.connections() == 0);
            awaitUntil(() -> backendConnections(fixture.database) == 0);
            fixture.server.close();
            awaitUntil(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(th -> th.getName().startsWith("vshard-pg-worker")));
        }
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 200; j++) {
                ByteBufAllocator.DEFAULT.buffer(64).release();
                Unpooled.buffer(64).release();
            }
        }
        assertThat(leaks).as("Netty buffer leaks").isEmpty();
    }

    /** One fuzzed connection; returns after the proxy closed it. */
    private static void fuzzOne(
            int port, String database, Random random, AtomicLong frames, AtomicInteger fatal, AtomicInteger expected)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            if (random.nextInt(4) == 0) {
                ByteBuf garbage = Unpooled.buffer();
                startupGarbage(random, garbage);
                frames.addAndGet(FRAMES_PER_CONNECTION);
                send(socket, garbage);
                socket.shutdownOutput();
                Answer answer = readUntilClosed(in, false);
                assertThat(answer.wellFramed()).isTrue();
                return;
            }
            ByteBuf out = Unpooled.buffer();
            startup(out, database);
            boolean malformed = false;
            for (int i = 0; i < FRAMES_PER_CONNECTION - 2; i++) {
                if (random.nextInt(60) == 0) {
                    malformed(random, out);
                    malformed = true;
                } else {
                    randomFrame(random, out);
                }
            }
            frame(out, 'S', b -> {});
            frames.addAndGet(FRAMES_PER_CONNECTION - 1);
            send(socket, out);
            Answer first = readUntilReady(in);
            assertThat(first.wellFramed()).isTrue();
            if (first.closed()) {
                assertThat(malformed).as(first.errors()).isTrue();
                if (first.fatal()) {
                    fatal.incrementAndGet();
                }
                return;
            }
            ByteBuf last = Unpooled.buffer();
            boolean truncated = random.nextInt(5) == 0;
            if (truncated) {
                last.writeByte('Q').writeInt(100).writeBytes("SELECT".getBytes(StandardCharsets.US_ASCII));
            } else {
                malformed(random, last);
                expected.incrementAndGet();
            }
            frames.incrementAndGet();
            send(socket, last);
            if (truncated) {
                socket.shutdownOutput();
            }
            Answer answer = readUntilClosed(in, false);
            assertThat(answer.wellFramed()).isTrue();
            if (!truncated) {
                assertThat(answer.fatal())
                        .as("FATAL ErrorResponse after a malformed frame")
                        .isTrue();
                fatal.incrementAndGet();
            }
        }
    }

    /** What a fuzzed connection received. */
    record Answer(boolean closed, boolean fatal, boolean wellFramed, String errors) {}

    private static void send(Socket socket, ByteBuf buf) {
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            // The proxy may close the connection before the whole batch is written: that is the point.
        } finally {
            buf.release();
        }
    }

    private static Answer readUntilReady(InputStream in) {
        return read(in, true);
    }

    private static Answer readUntilClosed(InputStream in, boolean stopAtReady) {
        return read(in, stopAtReady);
    }

    /** Reads backend frames until ReadyForQuery (if asked) or the end of the stream. */
    private static Answer read(InputStream in, boolean stopAtReady) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean fatal = false;
        boolean closed = false;
        StringBuilder errors = new StringBuilder();
        int parsed = 0;
        byte[] chunk = new byte[8192];
        try {
            while (true) {
                int n = in.read(chunk);
                if (n < 0) {
                    closed = true;
                    break;
                }
                bytes.write(chunk, 0, n);
                ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
                buf.position(parsed);
                boolean ready = false;
                while (buf.remaining() >= 5) {
                    byte type = buf.get(buf.position());
                    int length = buf.getInt(buf.position() + 1);
                    if (length < 4 || buf.remaining() < 1 + length) {
                        break;
                    }
                    if (type == 'E') {
                        String body = new String(buf.array(), buf.position() + 5, length - 4, StandardCharsets.UTF_8);
                        fatal |= body.contains("SFATAL");
                        errors.append(body.replace('\0', '|')).append('\n');
                    }
                    ready |= type == 'Z';
                    buf.position(buf.position() + 1 + length);
                }
                parsed = buf.position();
                if (ready && stopAtReady) {
                    break;
                }
            }
        } catch (IOException e) {
            closed = true;
        }
        byte[] all = bytes.toByteArray();
        boolean wellFramed = wellFramed(all, parsed, closed);
        return new Answer(closed, fatal, wellFramed, errors.toString());
    }

    /** Everything parsed must be valid frames; a reset may only cut the last one. */
    private static boolean wellFramed(byte[] all, int parsed, boolean closed) {
        if (parsed == all.length) {
            return true;
        }
        if (all.length - parsed == 1 && (all[parsed] == 'N' || all[parsed] == 'S')) {
            return true;
        }
        return closed && all.length - parsed < 5 + 65_536;
    }

    private static void startup(ByteBuf out, String database) {
        int start = out.writerIndex();
        out.writeInt(0).writeInt(3 << 16);
        cstring(out, "user");
        cstring(out, ProxyFixture.USER);
        cstring(out, "database");
        cstring(out, database);
        out.writeByte(0);
        out.setInt(start, out.writerIndex() - start);
    }

    private static void startupGarbage(Random random, ByteBuf out) {
        switch (random.nextInt(4)) {
            case 0 ->
                out.writeInt(8).writeInt(80877103).writeInt(random.nextInt()).writeInt(random.nextInt());
            case 1 -> out.writeInt(random.nextInt());
            case 2 -> out.writeInt(9).writeInt(2 << 16).writeByte(0);
            default -> {
                byte[] bytes = new byte[random.nextInt(300)];
                random.nextBytes(bytes);
                out.writeBytes(bytes);
            }
        }
    }

    private static void malformed(Random random, ByteBuf out) {
        switch (random.nextInt(5)) {
            case 0 -> out.writeByte('Q').writeInt(1 << 30);
            case 1 -> out.writeByte(1 + random.nextInt(40)).writeInt(4);
            case 2 -> out.writeByte('P').writeInt(random.nextInt(4));
            case 3 -> frame(out, 'B', b -> b.writeBytes(new byte[] {'x', 0, 0, (byte) 0xFF, 0x7F}));
            default ->
                frame(out, "QPBDECSH".charAt(random.nextInt(8)), b -> {
                    byte[] bytes = new byte[1 + random.nextInt(40)];
                    random.nextBytes(bytes);
                    bytes[bytes.length - 1] = 1;
                    b.writeBytes(bytes);
                });
        }
    }

    private static void randomFrame(Random random, ByteBuf out) {
        switch (random.nextInt(9)) {
            case 0 -> frame(out, 'Q', b -> cstring(b, sql(random)));
            case 1, 2 ->
                frame(out, 'P', b -> {
                    cstring(b, NAMES[random.nextInt(NAMES.length)]);
                    cstring(b, sql(random));
                    int count = random.nextInt(3);
                    b.writeShort(count);
                    for (int i = 0; i < count; i++) {
                        b.writeInt(OIDS[random.nextInt(OIDS.length)]);
                    }
                });
            case 3, 4 ->
                frame(out, 'B', b -> {
                    cstring(b, NAMES[random.nextInt(NAMES.length)]);
                    cstring(b, NAMES[random.nextInt(NAMES.length)]);
                    shorts(b, random);
                    int count = random.nextInt(3);
                    b.writeShort(count);
                    for (int i = 0; i < count; i++) {
                        int length = random.nextInt(10) - 1;
                        b.writeInt(length);
                        for (int j = 0; j < length; j++) {
                            b.writeByte(random.nextInt(4) == 0 ? random.nextInt(256) : '0' + random.nextInt(10));
                        }
                    }
                    shorts(b, random);
                });
            case 5 ->
                frame(out, 'D', b -> {
                    b.writeByte(random.nextBoolean() ? 'S' : 'P');
                    cstring(b, NAMES[random.nextInt(NAMES.length)]);
                });
            case 6 ->
                frame(out, 'E', b -> {
                    cstring(b, NAMES[random.nextInt(NAMES.length)]);
                    b.writeInt(random.nextInt(4));
                });
            case 7 ->
                frame(out, 'C', b -> {
                    b.writeByte(random.nextBoolean() ? 'S' : 'P');
                    cstring(b, NAMES[random.nextInt(NAMES.length)]);
                });
            default -> frame(out, random.nextBoolean() ? 'S' : 'H', b -> {});
        }
    }

    private static void shorts(ByteBuf b, Random random) {
        int count = random.nextInt(3);
        b.writeShort(count);
        for (int i = 0; i < count; i++) {
            b.writeShort(random.nextInt(2));
        }
    }

    private static String sql(Random random) {
        if (random.nextInt(10) == 0) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                s.append((char) (' ' + random.nextInt(95)));
            }
            return s.toString();
        }
        return SQL[random.nextInt(SQL.length)];
    }

    private static void frame(ByteBuf out, char type, java.util.function.Consumer<ByteBuf> body) {
        out.writeByte(type);
        int at = out.writerIndex();
        out.writeInt(0);
        body.accept(out);
        out.setInt(at, out.writerIndex() - at);
    }

    private static void cstring(ByteBuf out, String value) {
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8)).writeByte(0);
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

    private static int backendConnections(String database) {
        try (Connection admin = DriverManager.getConnection(ProxyFixture.ADMIN_URL, "postgres", "");
                Statement st = admin.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database + "'")) {
            rs.next();
            return rs.getInt(1);
        } catch (Exception e) {
            return -1;
        }
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @SuppressWarnings("unchecked")
    private static void installLeakListener(Queue<String> leaks) throws ReflectiveOperationException {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
        field.setAccessible(true);
        ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
        detector.setLeakListener((type, records) -> leaks.add(type + ": " + records));
    }
}
