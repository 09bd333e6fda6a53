package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * One connection to a MySQL or MariaDB data source over which the proxy relays single-shard reads byte for
 * byte. It lives on the event loop of the client it serves (so a relay is a few socket operations on one
 * thread, no hand-off) and, between commands, idles in {@link BackendLinks}.
 *
 * <p>States: authenticating (native password, the only plugin a backend is asked for), idle, preparing a
 * statement the link has not prepared yet (its response is consumed here), relaying (the complete packets of each
 * socket read go to the client as is, as one write, until the {@link ResponseTracker} sees the end). All methods run on the event loop.
 */
final class BackendLink extends ChannelInboundHandlerAdapter {
    private static final int COM_QUERY = 0x03;
    private static final int COM_STMT_PREPARE = 0x16;
    private static final int COM_STMT_CLOSE = 0x19;
    private static final int MAX_PREPARED = 1024;

    /** Told how an exchange ended; called on the event loop, once. */
    interface Exchange {
        /** The whole response was written (not yet flushed) to the client. */
        void relayed();

        /**
         * The link failed; {@code relayedAny} says whether part of the response already went to the client (then
         * the client's session cannot continue).
         */
        void failed(Throwable cause, boolean relayedAny);
    }

    private enum State {
        AUTHENTICATING,
        IDLE,
        PREPARING,
        RELAYING,
        BROKEN
    }

    private final BackendAddress address;
    private final int capabilities;
    private final Promise<BackendLink> ready;
    private final ResponseTracker tracker;
    private final Map<String, Integer> prepared = new HashMap<>();
    private Channel channel;
    private State state = State.AUTHENTICATING;
    private Channel client;
    private Exchange exchange;
    private boolean relayedAny;
    private String preparingSql;
    private IntFunction<ByteBuf> executeFrame;
    private int prepareFramesLeft;
    /** Bytes of a packet not yet complete, or {@code null}. */
    private ByteBuf cumulation;

    BackendLink(BackendAddress address, int capabilities, Promise<BackendLink> ready) {
        this.address = address;
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

    /** Whether the link can take a command now. */
    boolean usable() {
        return state == State.IDLE && channel != null && channel.isActive();
    }

    /** Sends a framed COM_QUERY (sequence 0) and relays the response to {@code to}. */
    void query(ByteBuf frame, Channel to, Exchange done) {
        begin(to, done);
        state = State.RELAYING;
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /**
     * Runs a prepared statement: prepares {@code sql} first unless this link already has, then sends the framed
     * COM_STMT_EXECUTE that {@code frame} builds for the backend's statement id, and relays the response.
     */
    void execute(String sql, IntFunction<ByteBuf> frame, Channel to, Exchange done) {
        begin(to, done);
        Integer id = prepared.get(sql);
        if (id != null) {
            state = State.RELAYING;
            channel.writeAndFlush(frame.apply(id), channel.voidPromise());
            return;
        }
        if (prepared.size() >= MAX_PREPARED) {
            prepared.values().forEach(this::closeStatement);
            prepared.clear();
        }
        preparingSql = sql;
        executeFrame = frame;
        prepareFramesLeft = -1;
        state = State.PREPARING;
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = channel.alloc().buffer(5 + text.length);
        out.writeMediumLE(1 + text.length)
                .writeByte(0)
                .writeByte(COM_STMT_PREPARE)
                .writeBytes(text);
        channel.writeAndFlush(out);
    }

    private void begin(Channel to, Exchange done) {
        if (state != State.IDLE) {
            throw new IllegalStateException("backend link busy: " + state);
        }
        client = to;
        exchange = done;
        relayedAny = false;
        tracker.reset();
    }

    private void closeStatement(int id) {
        ByteBuf out = channel.alloc().buffer(9);
        out.writeMediumLE(5).writeByte(0).writeByte(COM_STMT_CLOSE).writeIntLE(id);
        channel.write(out);
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
     * Takes the whole packets of what the backend sent so far: while relaying, every complete packet of the
     * response goes to the client as one slice (one write per socket read, not per packet); otherwise one
     * packet at a time to the login or the prepare.
     */
    private void consume(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.readableBytes() >= 4 && state != State.BROKEN) {
            if (state == State.RELAYING) {
                if (!relayWhole(in)) {
                    return;
                }
                continue;
            }
            int length = in.getUnsignedMediumLE(in.readerIndex());
            if (in.readableBytes() < 4 + length) {
                return;
            }
            ByteBuf frame = in.readRetainedSlice(4 + length);
            switch (state) {
                case AUTHENTICATING -> {
                    try {
                        if (BackendLogin.next(ctx, address, capabilities, frame)) {
                            state = State.IDLE;
                            ready.trySuccess(this);
                        }
                    } finally {
                        frame.release();
                    }
                }
                case PREPARING -> onPrepareResponse(frame);
                default -> {
                    frame.release();
                    throw new MalformedPacketException("backend sent a packet while no command ran");
                }
            }
        }
    }

    /**
     * Relays the complete packets at the start of {@code in} up to the end of the response; returns whether any
     * were taken.
     */
    private boolean relayWhole(ByteBuf in) {
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
        relayedAny = true;
        client.write(in.readRetainedSlice(at - start), client.voidPromise());
        if (end) {
            finishRelay();
        } else if (!client.isWritable()) {
            // Backpressure: read the backend again when the client drained (see resume).
            channel.config().setAutoRead(false);
            client.flush();
        }
        return true;
    }

    private void finishRelay() {
        state = State.IDLE;
        Exchange e = exchange;
        exchange = null;
        client = null;
        e.relayed();
    }

    /** Consumes the backend's COM_STMT_PREPARE response, then sends the execute; takes ownership of the frame. */
    private void onPrepareResponse(ByteBuf frame) {
        int p = frame.readerIndex() + 4;
        try {
            if (prepareFramesLeft < 0) {
                if (frame.getUnsignedByte(p) == 0xFF) {
                    // The client's execute gets the backend's refusal, numbered as the first response packet.
                    state = State.RELAYING;
                    ByteBuf refusal = frame;
                    frame = null;
                    relay(refusal);
                    return;
                }
                int id = frame.getIntLE(p + 1);
                int columns = frame.getUnsignedShortLE(p + 5);
                int params = frame.getUnsignedShortLE(p + 7);
                int eof = Capabilities.has(capabilities, Capabilities.DEPRECATE_EOF) ? 0 : 1;
                prepareFramesLeft = (params > 0 ? params + eof : 0) + (columns > 0 ? columns + eof : 0);
                prepared.put(preparingSql, id);
            } else {
                prepareFramesLeft--;
            }
        } finally {
            if (frame != null) {
                frame.release();
            }
        }
        if (prepareFramesLeft == 0) {
            state = State.RELAYING;
            channel.writeAndFlush(executeFrame.apply(prepared.get(preparingSql)), channel.voidPromise());
            executeFrame = null;
            preparingSql = null;
        }
    }

    /** Passes one response frame to the client; takes ownership of it. */
    private void relay(ByteBuf frame) {
        boolean end;
        try {
            end = tracker.next(frame, frame.readerIndex());
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
        relayedAny = true;
        client.write(frame, client.voidPromise());
        if (end) {
            finishRelay();
        }
    }

    /** Reads the backend again after the client became writable. */
    void resume() {
        if (channel != null && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.RELAYING && client != null) {
            client.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseCumulation();
        fail(new java.io.IOException("backend " + address.name() + " closed the connection"));
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

    /** Ends the link: fails the exchange or the login in progress and closes the channel. */
    void fail(Throwable cause) {
        State was = state;
        state = State.BROKEN;
        ready.tryFailure(cause);
        Exchange e = exchange;
        exchange = null;
        client = null;
        if (channel != null) {
            channel.close();
        }
        if (e != null && was != State.BROKEN) {
            e.failed(cause, relayedAny);
        }
    }
}
