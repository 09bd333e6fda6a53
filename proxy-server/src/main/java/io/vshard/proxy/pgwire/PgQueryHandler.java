package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.sql.Connection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query phase of a connection: queues decoded client messages and hands them, one batch at a time, to its
 * {@link PgSession} on a worker thread.
 *
 * <p>Backpressure: the channel has AUTO_READ off. The next read is requested only when no batch is running, no
 * message is queued and the batch's last write was flushed to the socket; while a batch streams rows, the worker
 * waits whenever the channel is not writable. So a slow client slows the backend reads, never the event loop.
 * The queue and the busy flag are touched only on the event loop; the output buffer only by the worker running
 * the current batch.
 */
final class PgQueryHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(PgQueryHandler.class);
    private static final int WRITES_PER_FLUSH = 64;
    private static final int MAX_WAITING_MESSAGES = 64;

    private final PgProxyServer.Shared shared;
    private final Channel channel;
    private final PgSession session;
    private final PgDirectPath direct;
    private final ChannelOutput output;
    private final ArrayDeque<FrontendMessage> pending = new ArrayDeque<>();
    private final Object writability = new Object();
    private boolean busy;
    /** A direct unit is being answered (on this event loop; the client's next messages may be read meanwhile). */
    private boolean directBusy;
    /** The head of {@code pending} fell back from the direct path: the engine path takes the next batch. */
    private boolean engineNext;

    private ChannelHandlerContext context;
    private boolean sessionClosed;
    private int processId;

    PgQueryHandler(PgProxyServer.Shared shared, Channel channel, Connection connection) {
        this.shared = shared;
        this.channel = channel;
        this.output = new ChannelOutput();
        this.session = new PgSession(connection, output, shared.stats());
        this.direct = PgDirectPath.of(shared, session, channel);
    }

    void processId(int processId) {
        this.processId = processId;
    }

    void cancel() {
        session.cancel();
        if (direct != null) {
            direct.cancel();
        }
    }

    /** Flushes the startup answers, then handles messages the client pipelined early, or reads the first one. */
    void start(List<FrontendMessage> early) {
        pending.addAll(early);
        ChannelHandlerContext ctx = channel.pipeline().context(this);
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(future -> {
            if (future.isSuccess()) {
                dispatch(ctx);
            } else {
                channel.close();
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    /** Whether the session has a direct path (its statements may skip the engine). */
    boolean direct() {
        return direct != null;
    }

    /**
     * Starts a direct unit from a socket read holding exactly that unit, undecoded (see {@link PgRawLane}); takes
     * ownership of {@code in} when it returns true. False, leaving {@code in} alone, when the session is busy,
     * has messages waiting, or the direct path cannot relay the bytes as they are.
     */
    boolean takeRaw(ByteBuf in) {
        ChannelHandlerContext ctx = context;
        if (direct == null || busy || engineNext || !pending.isEmpty() || ctx == null) {
            return false;
        }
        busy = true;
        directBusy = true;
        shared.inFlight().incrementAndGet();
        if (direct.startRaw(in, rest -> directFinished(ctx, rest))) {
            return true;
        }
        directBusy = false;
        finished();
        return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pending.add((FrontendMessage) msg);
    }

    /**
     * Dispatches once per socket read, so the messages a client sent together are handled together. While a direct
     * unit is answered, the next read stays asked for (a few messages may queue): re-arming the socket after every
     * answer would cost two {@code epoll_ctl} calls per statement.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!busy) {
            dispatch(ctx);
        } else {
            readAhead(ctx);
        }
    }

    /** Keeps a read asked for while a direct unit runs and few messages wait. */
    private void readAhead(ChannelHandlerContext ctx) {
        if (directBusy && pending.size() < MAX_WAITING_MESSAGES) {
            ctx.read();
        }
    }

    /**
     * Whether {@code pending} stops in the middle of what the client will send before it waits for an answer
     * (it ends before a Sync, Flush or Query). PostgreSQL itself answers nothing before those, so waiting for the
     * rest costs the client nothing and lets the direct path see a whole unit. Bounded, so a client streaming
     * messages without a Sync is still served as they come.
     */
    private boolean unitIncomplete() {
        FrontendMessage last = pending.peekLast();
        return direct != null
                && pending.size() < MAX_WAITING_MESSAGES
                && !(last instanceof FrontendMessage.Sync
                        || last instanceof FrontendMessage.Flush
                        || last instanceof FrontendMessage.Query
                        || last instanceof FrontendMessage.Terminate);
    }

    private void dispatch(ChannelHandlerContext ctx) {
        if (!channel.isActive()) {
            closeSession();
            return;
        }
        if (pending.isEmpty() || unitIncomplete()) {
            ctx.read();
            return;
        }
        if (direct != null) {
            direct.notice(pending);
        }
        if (direct != null && !engineNext) {
            busy = true;
            directBusy = true;
            shared.inFlight().incrementAndGet();
            if (direct.start(pending, rest -> directFinished(ctx, rest))) {
                readAhead(ctx);
                return;
            }
            directBusy = false;
            finished();
        }
        engineNext = false;
        List<FrontendMessage> batch = new ArrayList<>(pending);
        pending.clear();
        busy = true;
        shared.inFlight().incrementAndGet();
        try {
            shared.workers().execute(() -> runBatch(ctx, batch));
        } catch (RejectedExecutionException e) {
            finished();
            ctx.writeAndFlush(PgErrors.error("FATAL", "53000", "the proxy is overloaded"))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A direct unit ended; {@code rest} holds what the engine path must still answer, or is null. */
    private void directFinished(ChannelHandlerContext ctx, List<FrontendMessage> rest) {
        directBusy = false;
        finished();
        if (rest != null) {
            for (int i = rest.size() - 1; i >= 0; i--) {
                pending.addFirst(rest.get(i));
            }
            engineNext = true;
        }
        dispatch(ctx);
    }

    /** Runs on a worker thread. */
    private void runBatch(ChannelHandlerContext ctx, List<FrontendMessage> batch) {
        boolean keepOpen;
        try {
            keepOpen = session.handle(batch);
        } catch (RuntimeException e) {
            LOG.warn("pgwire: session {} failed", processId, e);
            keepOpen = false;
        }
        boolean open = keepOpen;
        try {
            afterBatch(ctx, open);
        } catch (RejectedExecutionException e) {
            // The event loop is gone (server shut down): nobody is left to answer, only resources to free.
            shared.inFlight().decrementAndGet();
            shared.closeLater(session);
        }
    }

    private void afterBatch(ChannelHandlerContext ctx, boolean open) {
        List<BackendMessage> rest = output.take();
        ctx.executor().execute(() -> {
            rest.forEach(message -> ctx.write(message, ctx.voidPromise()));
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(future -> afterWrite(ctx, open, future.isSuccess()));
        });
    }

    private void afterWrite(ChannelHandlerContext ctx, boolean open, boolean written) {
        finished();
        if (open && written) {
            dispatch(ctx);
        } else {
            ctx.close();
            if (!channel.isActive()) {
                closeSession();
            }
        }
    }

    private void finished() {
        busy = false;
        shared.inFlight().decrementAndGet();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (direct != null) {
            direct.clientWritable();
        }
        synchronized (writability) {
            writability.notifyAll();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        synchronized (writability) {
            writability.notifyAll();
        }
        if (!busy) {
            closeSession();
        }
    }

    private void closeSession() {
        if (sessionClosed) {
            return;
        }
        sessionClosed = true;
        if (direct != null) {
            direct.close();
        }
        shared.cancels().unregister(processId);
        shared.closeLater(session);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && !busy) {
            ctx.writeAndFlush(PgErrors.error("FATAL", "57P05", "terminating connection due to idle-session timeout"))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failConnection(ctx, cause, shared.stats());
    }

    /** Answers a protocol violation with a FATAL ErrorResponse and closes; other failures just close. */
    static void failConnection(ChannelHandlerContext ctx, Throwable cause, PgWireStats stats) {
        if (cause instanceof PgProtocolException e) {
            stats.protocolError();
            ctx.writeAndFlush(PgErrors.error("FATAL", e.sqlState(), e.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            if (!(cause instanceof IOException)) {
                LOG.warn("pgwire: closing connection after unexpected failure", cause);
            }
            ctx.close();
        }
    }

    /**
     * Collects a worker's messages and hands them to the event loop in one task per flush: one wake-up of the
     * event loop per batch of messages instead of one per message.
     */
    private final class ChannelOutput implements PgSession.Output {

        private List<BackendMessage> buffered = new ArrayList<>();

        @Override
        public void write(BackendMessage message) {
            buffered.add(message);
            if (buffered.size() >= WRITES_PER_FLUSH) {
                flush();
            }
        }

        @Override
        public void flush() {
            List<BackendMessage> batch = take();
            if (!batch.isEmpty()) {
                ChannelHandlerContext ctx = channel.pipeline().context(PgQueryHandler.this);
                if (ctx == null) {
                    return;
                }
                ctx.executor().execute(() -> {
                    batch.forEach(message -> ctx.write(message, ctx.voidPromise()));
                    ctx.flush();
                });
            }
            awaitWritable();
        }

        List<BackendMessage> take() {
            List<BackendMessage> batch = buffered;
            buffered = new ArrayList<>();
            return batch;
        }

        private void awaitWritable() {
            synchronized (writability) {
                while (!channel.isWritable() && channel.isActive()) {
                    try {
                        writability.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
