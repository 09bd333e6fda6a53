package io.vshard.proxy.pgwire;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.vshard.config.Dialect;
import io.vshard.proxy.net.Transport;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One raw PostgreSQL wire connection that serves the direct statements of one client session on one data source,
 * over TCP or, when the data source's URL names it ({@link BackendAddress#socket}), the server's Unix socket.
 *
 * <p>It logs in like a client (trust, cleartext, md5 or SCRAM-SHA-256), then runs exchanges: the proxy writes
 * frames ending in Sync (or a simple Query) and the backend's answer comes back frame by frame until its
 * ReadyForQuery. A relaying exchange passes the frames to the client channel as retained slices of what the
 * backend sent, one slice per run of consecutive frames in a socket read (no row is decoded), except the answers to
 * frames the proxy added itself (a Close and Parse that re-create a prepared statement here), which it drops. A silent exchange (replaying session settings) drops
 * everything and only reports whether an error came.
 *
 * <p>Threading: the backend channel is registered on the client channel's event loop, so every method and
 * callback runs on that one thread. Backpressure: the backend channel has AUTO_READ off; the next read is asked
 * for only while the client channel is writable.
 */
final class PgBackendLink extends BackendFrameReader {

    private static final Logger LOG = LoggerFactory.getLogger(PgBackendLink.class);
    private static final int CANCEL_REQUEST = 80877102;

    /** How an exchange ended. */
    interface Done {
        /**
         * @param intact whether the connection lived to the backend's ReadyForQuery
         * @param error whether the backend sent an ErrorResponse
         * @param relayed whether any frame reached the client
         */
        void done(boolean intact, boolean error, boolean relayed);
    }

    /** The schema and session settings a connection was last pointed at. */
    record SessionState(String schema, List<String> settings) {

        /** The simple Query that points a connection at this state: {@code RESET ALL}, the search path, the SETs. */
        String pointingSql() {
            StringBuilder sql =
                    new StringBuilder("RESET ALL;\nSET search_path TO ").append(Dialect.POSTGRESQL.quote(schema));
            for (String setting : settings) {
                sql.append(";\n").append(setting);
            }
            return sql.toString();
        }
    }

    private enum Phase {
        LOGIN,
        IDLE,
        EXCHANGE,
        CLOSED
    }

    private final BackendAddress address;
    private Channel client;
    private final Map<String, PgStatement> prepared = new HashMap<>();
    private final ArrayDeque<Byte> skips = new ArrayDeque<>();
    private Channel backend;
    private Phase phase = Phase.LOGIN;
    private Consumer<String> loginDone;
    private ScramClient scram;
    private int processId;
    private int secretKey;
    private SessionState state;
    private boolean relay;
    private boolean error;
    private boolean relayed;
    private boolean readWanted;
    private boolean leftInTransaction;
    private Done done;
    /** Relayed bytes were written to the client and not flushed yet. */
    private boolean unflushed;

    private PgBackendLink(BackendAddress address, Channel client) {
        this.address = address;
        this.client = client;
    }

    /**
     * Connects and logs in on {@code client}'s event loop; {@code loggedIn} gets {@code null} once the link is
     * ready, else why it is not. The backend channel joins {@code all}, which the server closes when it stops
     * (stopping the event loops alone leaves backend connections open).
     */
    static PgBackendLink open(
            BackendAddress address, Channel client, ChannelGroup all, int timeoutMillis, Consumer<String> loggedIn) {
        PgBackendLink link = new PgBackendLink(address, client);
        link.loginDone = loggedIn;
        EventLoop loop = client.eventLoop();
        Transport transport = Transport.selected();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        all.add(ch);
                        ch.pipeline().addLast(link);
                    }
                });
        ChannelFuture connected = transport.connect(bootstrap, address.socket(), address.host(), address.port());
        connected.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                link.loginFailed("cannot connect to " + address + ": " + f.cause());
                return;
            }
            link.backend = f.channel();
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("user", address.user());
            parameters.put("database", address.database());
            // What the proxy announces to its clients, so values are formatted as they expect.
            parameters.put("client_encoding", "UTF8");
            parameters.put("DateStyle", "ISO, MDY");
            parameters.put("IntervalStyle", "postgres");
            parameters.put("TimeZone", "UTC");
            parameters.put("extra_float_digits", "3");
            parameters.put("application_name", "vshard-proxy");
            ByteBuf out = link.backend.alloc().buffer();
            FrontendFrames.startup(out, parameters);
            link.backend.writeAndFlush(out);
            link.backend.read();
        });
        return link;
    }

    /** Relays later exchanges to {@code client} (a pooled link changing sessions, on the same event loop). */
    void serve(Channel client) {
        this.client = client;
    }

    /** After {@code DISCARD ALL}: nothing is prepared and the settings are the login defaults. */
    void discarded() {
        prepared.clear();
        state = null;
    }

    io.netty.buffer.ByteBufAllocator alloc() {
        return backend.alloc();
    }

    /** Whether the link is logged in and not running an exchange. */
    boolean idle() {
        return phase == Phase.IDLE && !leftInTransaction && backend != null && backend.isActive();
    }

    /** What the connection was last pointed at, or {@code null} when unknown. */
    SessionState state() {
        return state;
    }

    void state(SessionState state) {
        this.state = state;
    }

    /** Whether {@code statement} is prepared here under {@code name} with the same text and declared types. */
    boolean hasPrepared(String name, PgStatement statement) {
        PgStatement have = prepared.get(name);
        return have == statement
                || (have != null
                        && have.sql.equals(statement.sql)
                        && Arrays.equals(have.declaredTypes, statement.declaredTypes));
    }

    void prepared(String name, PgStatement statement) {
        prepared.put(name, statement);
    }

    void forget(String name) {
        prepared.remove(name);
    }

    /**
     * Sends {@code frames} (released here) and reports through {@code done} at the backend's ReadyForQuery.
     *
     * @param relayToClient whether the answer goes to the client (else it is dropped)
     * @param skip the types of the answers to frames the proxy added, in order; dropped when they come
     */
    void exchange(ByteBuf frames, boolean relayToClient, List<Byte> skip, Done done) {
        if (phase != Phase.IDLE) {
            frames.release();
            throw new IllegalStateException("link busy: " + phase);
        }
        phase = Phase.EXCHANGE;
        relay = relayToClient;
        error = false;
        relayed = false;
        skips.clear();
        skips.addAll(skip);
        this.done = done;
        // A failed write reaches exceptionCaught, which closes the channel and so ends the exchange.
        backend.writeAndFlush(frames, backend.voidPromise());
        backend.read();
    }

    /** The client channel became writable: resume reading a relayed answer. */
    void clientWritable() {
        if (readWanted && client.isWritable() && phase == Phase.EXCHANGE) {
            readWanted = false;
            backend.read();
        }
    }

    @Override
    boolean keepsReading() {
        return phase != Phase.CLOSED;
    }

    /**
     * Handles every whole frame in {@code in}, leaving a partial one unread. A relayed answer goes to the client as
     * slices of {@code in} spanning as many consecutive frames as possible (one write per socket read, not one per
     * frame); only the frames the proxy must drop or look into break a span.
     */
    @Override
    void frames(ChannelHandlerContext ctx, ByteBuf in) {
        int span = -1;
        while (in.readableBytes() >= 5) {
            int at = in.readerIndex();
            int length = in.getInt(at + 1);
            if (length < 4) {
                LOG.debug("pgwire: backend {} sent a frame of length {}", address, length);
                relaySpan(in, span, at);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() - 1 < length) {
                break;
            }
            byte type = in.getByte(at);
            int end = at + 1 + length;
            if (phase != Phase.EXCHANGE) {
                relaySpan(in, span, at);
                span = -1;
                ByteBuf frame = in.slice(at, end - at);
                in.readerIndex(end);
                if (phase == Phase.LOGIN) {
                    login(type, frame);
                } else if (type == 'E') {
                    // An idle backend may only announce it is going away (a FATAL error before it closes).
                    LOG.debug("pgwire: backend {} sent an error while idle", address);
                    ctx.close();
                }
                continue;
            }
            if (type == 'E') {
                error = true;
                // The backend skips to Sync: the answers the proxy waited to drop will not come.
                skips.clear();
                if (PgErrors.fatal(in, at + 5, end)) {
                    // The backend goes away, not the client's session: the statement ends with 08006 as it closes.
                    relaySpan(in, span, at);
                    span = -1;
                    in.readerIndex(end);
                    continue;
                }
            } else if (!skips.isEmpty() && skips.peek() == type) {
                skips.poll();
                relaySpan(in, span, at);
                span = -1;
                in.readerIndex(end);
                continue;
            }
            if (relay && span < 0) {
                span = at;
            }
            in.readerIndex(end);
            if (type == 'Z') {
                if (in.getByte(at + 5) != 'I') {
                    // Only statements outside a transaction block come here, and the proxy keeps the session's
                    // transaction state: a backend left inside one is told to the client as idle and then
                    // closed, which rolls it back.
                    LOG.warn("pgwire: backend {} is left inside a transaction; closing it", address);
                    in.setByte(at + 5, 'I');
                    leftInTransaction = true;
                }
                phase = Phase.IDLE;
                Done finished = done;
                done = null;
                boolean err = error;
                if (relay) {
                    relayed = true;
                    unflushed = false;
                    ByteBuf answer = in.retainedSlice(span, end - span);
                    span = -1;
                    // A failed write closes the client channel, which ends the session; the caller looks at that.
                    client.writeAndFlush(answer, client.voidPromise());
                    finished.done(true, err, true);
                } else {
                    finished.done(true, err, false);
                }
            }
        }
        relaySpan(in, span, in.readerIndex());
    }

    /** Writes {@code in}'s bytes from {@code from} to {@code to} to the client (nothing when {@code from < 0}). */
    private void relaySpan(ByteBuf in, int from, int to) {
        if (from >= 0 && to > from) {
            relayed = true;
            unflushed = true;
            client.write(in.retainedSlice(from, to - from), client.voidPromise());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            client.flush();
        }
        if (phase == Phase.EXCHANGE) {
            if (!relay || client.isWritable()) {
                ctx.read();
            } else {
                readWanted = true;
            }
        } else if (phase == Phase.LOGIN || phase == Phase.IDLE) {
            // Idle, a read stays asked for, so a backend that goes away (FATAL, then EOF) is noticed before the
            // next statement is sent to it.
            ctx.read();
        }
    }

    private void login(byte type, ByteBuf frame) {
        ByteBuf body = frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5);
        switch (type) {
            case 'R' -> authentication(body);
            case 'K' -> {
                processId = body.readInt();
                secretKey = body.readInt();
            }
            case 'Z' -> {
                phase = Phase.IDLE;
                Consumer<String> ready = loginDone;
                loginDone = null;
                ready.accept(null);
            }
            case 'E' -> loginFailed("the backend refused the login: " + errorMessage(body));
            default -> {
                // ParameterStatus and notices during login carry nothing the link needs.
            }
        }
    }

    private void authentication(ByteBuf body) {
        int code = body.readInt();
        byte[] answer;
        switch (code) {
            case BackendMessage.Authentication.OK -> {
                return;
            }
            case BackendMessage.Authentication.CLEARTEXT -> answer = cstring(passwordOrEmpty());
            case BackendMessage.Authentication.MD5 -> {
                byte[] salt = new byte[4];
                body.readBytes(salt);
                String inner = PgUser.md5Hex((passwordOrEmpty() + address.user()).getBytes(StandardCharsets.UTF_8));
                byte[] salted = Arrays.copyOf(inner.getBytes(StandardCharsets.US_ASCII), inner.length() + 4);
                System.arraycopy(salt, 0, salted, inner.length(), 4);
                answer = cstring("md5" + PgUser.md5Hex(salted));
            }
            case BackendMessage.Authentication.SASL -> {
                scram = new ScramClient(passwordOrEmpty());
                answer = scram.initialResponse();
            }
            case BackendMessage.Authentication.SASL_CONTINUE -> {
                byte[] data = new byte[body.readableBytes()];
                body.readBytes(data);
                answer = scram.finalMessage(new String(data, StandardCharsets.UTF_8));
            }
            case BackendMessage.Authentication.SASL_FINAL -> {
                byte[] data = new byte[body.readableBytes()];
                body.readBytes(data);
                if (!scram.verifyServer(new String(data, StandardCharsets.UTF_8))) {
                    loginFailed("the backend's SCRAM signature is wrong");
                }
                return;
            }
            default -> {
                loginFailed("authentication method " + code + " is not supported for direct connections");
                return;
            }
        }
        ByteBuf out = backend.alloc().buffer();
        FrontendFrames.password(out, answer);
        backend.writeAndFlush(out);
    }

    /** The 'M' field of an ErrorResponse body. */
    private static String errorMessage(ByteBuf body) {
        while (body.isReadable()) {
            byte field = body.readByte();
            if (field == 0) {
                break;
            }
            int end = body.indexOf(body.readerIndex(), body.writerIndex(), (byte) 0);
            if (end < 0) {
                break;
            }
            String value = body.toString(body.readerIndex(), end - body.readerIndex(), StandardCharsets.UTF_8);
            body.readerIndex(end + 1);
            if (field == 'M') {
                return value;
            }
        }
        return "(no message)";
    }

    private String passwordOrEmpty() {
        return address.password() == null ? "" : address.password();
    }

    private static byte[] cstring(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    private void loginFailed(String why) {
        Consumer<String> failed = loginDone;
        loginDone = null;
        phase = Phase.CLOSED;
        if (backend != null) {
            backend.close();
        }
        if (failed != null) {
            failed.accept(why);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropCarry();
        Phase was = phase;
        phase = Phase.CLOSED;
        if (was == Phase.LOGIN) {
            loginFailed("the backend " + address + " closed the connection during login");
        } else if (was == Phase.EXCHANGE && done != null) {
            Done finished = done;
            done = null;
            finished.done(false, error, relayed);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("pgwire: backend link {} failed", address, cause);
        ctx.close();
    }

    /** Asks the backend to cancel what this connection runs (PostgreSQL's CancelRequest on a new connection). */
    void cancel(Executor blocking) {
        if (phase != Phase.EXCHANGE) {
            return;
        }
        sendCancel(address, processId, secretKey, blocking);
    }

    /**
     * Hands the logged-in, idle connection over to {@code next} (a {@link PgSharedLink}), which replaces this
     * handler in the backend channel's pipeline; this link is closed for its own use afterwards.
     *
     * @return the backend channel
     */
    Channel handOver(ChannelInboundHandlerAdapter next) {
        if (!idle() || carrying()) {
            throw new IllegalStateException("only an idle link with nothing unread can be handed over");
        }
        phase = Phase.CLOSED;
        backend.pipeline().replace(this, "pg-shared-link", next);
        return backend;
    }

    int processId() {
        return processId;
    }

    int secretKey() {
        return secretKey;
    }

    /** Sends PostgreSQL's CancelRequest for backend {@code pid} on a new connection, on {@code blocking}. */
    static void sendCancel(BackendAddress address, int pid, int secret, Executor blocking) {
        if (pid == 0) {
            return;
        }
        blocking.execute(() -> {
            try (Socket socket = new Socket(address.host(), address.port())) {
                OutputStream out = socket.getOutputStream();
                java.nio.ByteBuffer request = java.nio.ByteBuffer.allocate(16);
                request.putInt(16).putInt(CANCEL_REQUEST).putInt(pid).putInt(secret);
                out.write(request.array());
                out.flush();
            } catch (java.io.IOException e) {
                LOG.debug("pgwire: cancel request to {} failed", address, e);
            }
        });
    }

    /** Ends the connection politely (Terminate), or just closes it when it is busy. */
    void close() {
        if (backend == null) {
            phase = Phase.CLOSED;
            return;
        }
        if (phase == Phase.IDLE && backend.isActive()) {
            ByteBuf out = backend.alloc().buffer(5);
            FrontendFrames.terminate(out);
            backend.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            backend.close();
        }
        phase = Phase.CLOSED;
    }
}
