package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random, malformed, truncated and oversized PostgreSQL frames over one connection at a time, and the checks on what
 * the proxy answers ({@link WireFuzzIT}; the sharded proxy's fuzz test uses it with its own statements). A fuzzer
 * is used by one thread.
 */
public final class WireFuzz {

    private static final int FRAMES_PER_CONNECTION = 48;
    private static final String[] NAMES = {"", "s1", "p1", "nope"};
    /** The statements {@link WireFuzzIT} puts in random frames. */
    public static final String[] SQL = {
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

    private final String user;
    private final String[] sql;

    /** Fuzzes as {@code user} (a login the proxy accepts without a password), with statements drawn from {@code sql}. */
    public WireFuzz(String user, String[] sql) {
        this.user = user;
        this.sql = sql.clone();
    }

    /** One fuzzed connection; returns after the proxy closed it. */
    public void fuzzOne(
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

    private void startup(ByteBuf out, String database) {
        int start = out.writerIndex();
        out.writeInt(0).writeInt(3 << 16);
        cstring(out, "user");
        cstring(out, user);
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

    private void randomFrame(Random random, ByteBuf out) {
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

    private String sql(Random random) {
        if (random.nextInt(10) == 0) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                s.append((char) (' ' + random.nextInt(95)));
            }
            return s.toString();
        }
        return sql[random.nextInt(sql.length)];
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

    /** Connections PostgreSQL has open to {@code database} (-1 when it cannot tell). */
    public static int backendConnections(String database) {
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

    /** Waits up to 30 s for {@code condition}; fails the test when it is not reached. */
    public static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Waits up to 30 s for every proxy worker thread ({@code vshard-pg-worker-*}) to end; on failure prints where the
     * survivors are stuck.
     */
    public static void awaitNoProxyWorkers() throws InterruptedException {
        try {
            awaitUntil(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(th -> th.getName().startsWith("vshard-pg-worker")));
        } catch (AssertionError e) {
            Thread.getAllStackTraces().forEach((th, stack) -> {
                if (th.getName().startsWith("vshard-pg-worker")) {
                    System.out.println(th.getName() + " " + th.getState());
                    for (StackTraceElement f : stack) {
                        System.out.println("    at " + f);
                    }
                }
            });
            throw e;
        }
    }

    /**
     * Collects garbage and allocates a few buffers, so Netty's paranoid leak detector reports what leaked, then
     * asserts that {@code leaks} (filled by {@link #installLeakListener}) stayed empty.
     */
    public static void assertNoBufferLeaks(Queue<String> leaks) throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 200; j++) {
                io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(64).release();
                io.netty.buffer.Unpooled.buffer(64).release();
            }
        }
        assertThat(leaks).as("Netty buffer leaks").isEmpty();
    }

    /** Turns Netty's leak detector to paranoid and collects what it reports into {@code leaks}. */
    @SuppressWarnings("unchecked")
    public static void installLeakListener(Queue<String> leaks) throws ReflectiveOperationException {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
        field.setAccessible(true);
        ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
        detector.setLeakListener((type, records) -> leaks.add(type + ": " + records));
    }
}
