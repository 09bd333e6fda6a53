package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a MySQL or MariaDB data source over which the proxy relays single-shard reads byte for
 * byte, for any number of clients of its event loop at once: each relayed command (a unit) is written behind
 * the ones already in flight, the writes of one event-loop pass are flushed together, and the responses, which
 * the backend sends in command order, are split by the {@link ResponseTracker} and handed to their clients in
 * the same order. So one backend wake-up and one send serve several clients' reads.
 *
 * <p>Only stateless units share a link: auto-commit reads whose text names the schema of every table, and the
 * prepares and executes of such reads. Nothing that changes the backend session (USE, SET, transactions) is ever
 * sent over a link, so no client can see another's state. Prepared statements belong to the link (one id per
 * text, whoever prepared it); the relay maps each client's statements to texts.
 *
 * <p>States: authenticating (native password, the only plugin a backend is asked for), open, broken. All
 * methods run on the event loop.
 */
final class BackendLink extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(BackendLink.class);
    private static final int COM_STMT_PREPARE = 0x16;
    private static final int COM_STMT_CLOSE = 0x19;
    private static final int MAX_PREPARED = 1024;

    /** Told how a unit ended; called on the event loop, once. */
    interface Exchange {
        /**
         * The whole response was written (not yet flushed) to the client; {@code error} says whether it was (or
         * ended in) the backend's error packet.
         */
        void relayed(boolean error);

        /**
         * The link failed; {@code relayedAny} says whether part of the response already went to the client (then
         * the client's session cannot continue).
         */
        void failed(Throwable cause, boolean relayedAny);
    }

    private enum State {
        AUTHENTICATING,
        OPEN,
        BROKEN
    }

    /**
     * A command in flight, in the order it was written: either a prepare the link consumes itself (then its
     * execute is written and queued as a new unit) or a command whose response goes to {@code client}.
     */
    private static final class Unit {
        /** The client the response goes to; {@code null} once that client went away (the bytes are dropped). */
        Channel client;

        final Exchange exchange;
        boolean relayedAny;
        /** For a prepare: the text, the execute to send once the id is known, and the frames still to come. */
        final String prepareSql;

        final IntFunction<ByteBuf> executeFrame;
        int prepareFramesLeft = -1;

        Unit(Channel client, Exchange exchange, String prepareSql, IntFunction<ByteBuf> executeFrame) {
            this.client = client;
            this.exchange = exchange;
            this.prepareSql = prepareSql;
            this.executeFrame = executeFrame;
        }
    }

    private final BackendAddress address;
    private final RelayCounts counts;
    private final long slowClientBufferBytes;
    private final long slowClientMillis;
    private final int capabilities;
    private final Promise<BackendLink> ready;
    private final ResponseTracker tracker;
    private final Map<String, Integer> prepared = new HashMap<>();
    private final ArrayDeque<Unit> inFlight = new ArrayDeque<>();
    private final Runnable flushTask = this::flushNow;
    private Channel channel;
    private State state = State.AUTHENTICATING;
    private boolean flushScheduled;
    /** Bytes of a packet not yet complete, or {@code null}. */
    private ByteBuf cumulation;

    /**
     * A link to {@code address}; while other clients' commands wait behind a response whose client reads slowly,
     * up to {@code slowClientBufferBytes} of it are buffered for that client, and a client that still holds the
     * link still after {@code slowClientMillis} is disconnected.
     */
    BackendLink(
            BackendAddress address,
            int capabilities,
            Promise<BackendLink> ready,
            RelayCounts counts,
            long slowClientBufferBytes,
            long slowClientMillis) {
        this.address = address;
        this.counts = counts;
        this.slowClientBufferBytes = slowClientBufferBytes;
        this.slowClientMillis = slowClientMillis;
        this.capabilities = capabilities;
        this.ready = ready;
        this.tracker = new ResponseTracker(Capabilities.has(capabilities, Capabilities.DEPRECATE_EOF));
    }

    BackendAddress address() {
        return address;
    }

    int capabilities() {
        return capabilities;
    }

    Channel channel() {
        return channel;
    }

    /** Where the link connects and logs in: a future that completes when it can take commands. */
    Promise<BackendLink> ready() {
        return ready;
    }

    /** Whether the link can take a command now. */
    boolean usable() {
        return state == State.OPEN && channel != null && channel.isActive();
    }

    /** Whether the link is still logging in (it will take commands once {@link #ready()} succeeds). */
    boolean connecting() {
        return state == State.AUTHENTICATING;
    }

    /** Commands written whose response has not fully arrived. */
    int inFlight() {
        return inFlight.size();
    }

    /**
     * Whether the link stopped reading its backend because the client of the response at its head reads slowly:
     * a command sent now would wait behind that client.
     */
    boolean stalled() {
        return channel != null && !channel.config().isAutoRead();
    }

    /** Sends a framed COM_QUERY (sequence 0) behind the commands in flight and relays its response to {@code to}. */
    void query(ByteBuf frame, Channel to, Exchange done) {
        send(frame, new Unit(to, done, null, null));
    }

    /**
     * Runs a prepared statement: prepares {@code sql} first unless this link already has, then sends the framed
     * COM_STMT_EXECUTE that {@code frame} builds for the backend's statement id, and relays the response.
     */
    void execute(String sql, IntFunction<ByteBuf> frame, Channel to, Exchange done) {
        Integer id = prepared.get(sql);
        if (id != null) {
            send(frame.apply(id), new Unit(to, done, null, null));
            return;
        }
        if (prepared.size() >= MAX_PREPARED) {
            // Written behind every execute that used them, so no unit in flight loses its statement.
            prepared.values().forEach(this::closeStatement);
            prepared.clear();
        }
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = channel.alloc().buffer(5 + text.length);
        out.writeMediumLE(1 + text.length)
                .writeByte(0)
                .writeByte(COM_STMT_PREPARE)
                .writeBytes(text);
        send(out, new Unit(to, done, sql, frame));
    }

    private void send(ByteBuf frame, Unit unit) {
        if (state != State.OPEN) {
            frame.release();
            throw new IllegalStateException("backend link not open: " + state);
        }
        if (inFlight.isEmpty()) {
            tracker.reset();
        }
        inFlight.addLast(unit);
        channel.write(frame, channel.voidPromise());
        scheduleFlush();
    }

    /**
     * Flushes once per event-loop pass: the task runs after the loop handled every socket that was ready, so the
     * commands of all clients read in that pass leave in one send.
     */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (channel != null) {
            channel.flush();
        }
    }

    private void closeStatement(int id) {
        ByteBuf out = channel.alloc().buffer(9);
        out.writeMediumLE(5).writeByte(0).writeByte(COM_STMT_CLOSE).writeIntLE(id);
        channel.write(out, channel.voidPromise());
    }

    /**
     * The client of {@code exchange} went away: its response, when it comes, is dropped instead of written, and
     * the link goes on serving the others.
     */
    void forget(Exchange exchange) {
        for (Unit u : inFlight) {
            if (u.exchange == exchange) {
                u.client = null;
            }
        }
        resume();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        cumulation =
                cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        try {
            consume(ctx, cumulation);
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            if (cumulation != null && !cumulation.isReadable()) {
                cumulation.release();
                cumulation = null;
            }
        }
    }

    /**
     * Takes the whole packets of what the backend sent so far: the complete packets of a relayed response go to
     * its client as one slice per socket read; the login and the prepares are handled one packet at a time.
     */
    private void consume(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.readableBytes() >= 4 && state != State.BROKEN) {
            Unit head = inFlight.peekFirst();
            if (state == State.OPEN && head != null && head.prepareSql == null) {
                if (!relayWhole(in, head)) {
                    return;
                }
                continue;
            }
            int length = in.getUnsignedMediumLE(in.readerIndex());
            if (in.readableBytes() < 4 + length) {
                return;
            }
            ByteBuf frame = in.readRetainedSlice(4 + length);
            if (state == State.AUTHENTICATING) {
                try {
                    if (BackendLogin.next(ctx, address, capabilities, frame)) {
                        state = State.OPEN;
                        ready.trySuccess(this);
                    }
                } finally {
                    frame.release();
                }
            } else if (head != null) {
                onPrepareResponse(head, frame);
            } else {
                frame.release();
                throw new MalformedPacketException("backend sent a packet while no command ran");
            }
        }
    }

    /**
     * Relays the complete packets at the start of {@code in} up to the end of the head unit's response; returns
     * whether any were taken.
     */
    private boolean relayWhole(ByteBuf in, Unit unit) {
        int start = in.readerIndex();
        int limit = in.writerIndex();
        int at = start;
        boolean end = false;
        while (!end && limit - at >= 4) {
            int length = in.getUnsignedMediumLE(at);
            if (limit - at < 4 + length) {
                break;
            }
            end = tracker.next(in, at);
            at += 4 + length;
        }
        if (at == start) {
            return false;
        }
        unit.relayedAny = true;
        Channel client = unit.client;
        if (client != null) {
            client.write(in.readRetainedSlice(at - start), client.voidPromise());
        } else {
            in.skipBytes(at - start);
        }
        if (end) {
            finish();
        } else if (client != null && !client.isWritable() && !bufferFor(client)) {
            // Backpressure: read the backend again when this client drained (see resume).
            channel.config().setAutoRead(false);
            client.flush();
            if (inFlight.size() > 1) {
                watchStall(unit);
            }
        }
        return true;
    }

    /**
     * Whether to go on reading for a client that cannot take more now: while other clients' commands wait behind
     * its response, up to the slow-client buffer of it is held for it, so they need not wait for it.
     */
    private boolean bufferFor(Channel client) {
        if (inFlight.size() < 2) {
            return false;
        }
        ChannelOutboundBuffer pending = client.unsafe().outboundBuffer();
        return pending != null && pending.totalPendingWriteBytes() < slowClientBufferBytes;
    }

    /**
     * Closes the connection of the head's client when it still holds the link after the slow-client time
     * with commands waiting behind it: one client that stopped reading must not stall the others' reads. Its
     * session ends, which drops the rest of its response ({@link #forget}) and lets the link read on.
     */
    private void watchStall(Unit head) {
        channel.eventLoop()
                .schedule(
                        () -> {
                            Channel client = head.client;
                            if (inFlight.peekFirst() == head && stalled() && inFlight.size() > 1 && client != null) {
                                LOG.warn(
                                        "mysqlwire: closing client {}: it read nothing for {} ms while {} other"
                                                + " commands waited behind its response on backend link {}",
                                        client.remoteAddress(),
                                        slowClientMillis,
                                        inFlight.size() - 1,
                                        address.name());
                                counts.slowClientClosed();
                                client.close();
                            }
                        },
                        slowClientMillis,
                        TimeUnit.MILLISECONDS);
    }

    /** The head unit's response is complete: the next unit's response starts. */
    private void finish() {
        Unit done = inFlight.pollFirst();
        boolean error = tracker.failed();
        tracker.reset();
        done.exchange.relayed(error);
    }

    /** Consumes the backend's COM_STMT_PREPARE response, then sends the execute; takes ownership of the frame. */
    private void onPrepareResponse(Unit unit, ByteBuf frame) {
        int p = frame.readerIndex() + 4;
        try {
            if (unit.prepareFramesLeft < 0) {
                if (frame.getUnsignedByte(p) == 0xFF) {
                    // The client's execute gets the backend's refusal, numbered as the first response packet.
                    inFlight.pollFirst();
                    tracker.reset();
                    unit.relayedAny = true;
                    if (unit.client != null) {
                        unit.client.write(frame, unit.client.voidPromise());
                        frame = null;
                    }
                    unit.exchange.relayed(true);
                    return;
                }
                int id = frame.getIntLE(p + 1);
                int columns = frame.getUnsignedShortLE(p + 5);
                int params = frame.getUnsignedShortLE(p + 7);
                int eof = Capabilities.has(capabilities, Capabilities.DEPRECATE_EOF) ? 0 : 1;
                unit.prepareFramesLeft = (params > 0 ? params + eof : 0) + (columns > 0 ? columns + eof : 0);
                Integer earlier = prepared.putIfAbsent(unit.prepareSql, id);
                if (earlier != null) {
                    // Two clients prepared the same text at once: one id serves both.
                    closeStatement(id);
                }
            } else {
                unit.prepareFramesLeft--;
            }
        } finally {
            if (frame != null) {
                frame.release();
            }
        }
        if (unit.prepareFramesLeft == 0) {
            inFlight.pollFirst();
            Integer id = prepared.get(unit.prepareSql);
            if (id == null) {
                // Closed meanwhile (the statement cache overflowed): prepare again.
                execute(unit.prepareSql, unit.executeFrame, unit.client, unit.exchange);
                return;
            }
            send(unit.executeFrame.apply(id), new Unit(unit.client, unit.exchange, null, null));
        }
    }

    /** Reads the backend again after a client became writable. */
    void resume() {
        if (channel != null && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // A response still coming gets what arrived so far now; complete ones were flushed as they ended.
        Unit head = inFlight.peekFirst();
        if (head != null && head.relayedAny && head.client != null) {
            head.client.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseCumulation();
        fail(new IOException("backend " + address.name() + " closed the connection"));
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseCumulation();
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
    }

    /** Ends the link: fails the login and every unit in flight, and closes the channel. */
    void fail(Throwable cause) {
        State was = state;
        state = State.BROKEN;
        ready.tryFailure(cause);
        List<Unit> units = new ArrayList<>(inFlight);
        inFlight.clear();
        if (channel != null) {
            channel.close();
        }
        if (was != State.BROKEN) {
            for (Unit u : units) {
                u.exchange.failed(cause, u.relayedAny);
            }
        }
    }
}
