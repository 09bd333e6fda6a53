package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.sql.SQLException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command phase. Reads one command packet, runs it on the bounded JDBC executor through the
 * {@link MySqlSession}, and asks for the next packet only once the response reached the socket; so at most
 * one command per connection is in flight and a slow client slows only itself. The event loop never
 * touches JDBC: closing the backend connection is also handed to the executor.
 */
final class CommandHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(CommandHandler.class);

    private static final int COM_SLEEP = 0x00;
    private static final int COM_QUIT = 0x01;
    private static final int COM_INIT_DB = 0x02;
    private static final int COM_QUERY = 0x03;
    private static final int COM_FIELD_LIST = 0x04;
    private static final int COM_PING = 0x0E;
    private static final int COM_STMT_PREPARE = 0x16;
    private static final int COM_STMT_EXECUTE = 0x17;
    private static final int COM_STMT_SEND_LONG_DATA = 0x18;
    private static final int COM_STMT_CLOSE = 0x19;
    private static final int COM_STMT_RESET = 0x1A;
    private static final int COM_SET_OPTION = 0x1B;
    private static final int COM_RESET_CONNECTION = 0x1F;

    private final ServerResources resources;
    private final MySqlSession session;
    private final WritabilityGate gate;
    private final ReadRelay relay;
    /** Guards busy and closed, which the event loop and the JDBC task both touch. */
    private final Object lock = new Object();

    private boolean busy;
    /** What the relay reports to, made once per connection (event loop only). */
    private ReadRelay.Outcome relayOutcome;

    private boolean closed;

    CommandHandler(ServerResources resources, MySqlSession session, WritabilityGate gate, ReadRelay relay) {
        this.resources = resources;
        this.session = session;
        this.gate = gate;
        this.relay = relay;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof MySqlPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = packet.content();
        if (!in.isReadable()) {
            packet.release();
            throw new MalformedPacketException("empty command packet");
        }
        int command = in.getUnsignedByte(in.readerIndex());
        if (LOG.isTraceEnabled()) {
            LOG.trace("command {} ({} bytes)", command, in.readableBytes());
        }
        if (command == COM_QUIT) {
            packet.release();
            ctx.close();
            return;
        }
        session.writer().startAfter(packet.sequenceId());
        synchronized (lock) {
            busy = true;
        }
        if (relayOutcome == null && relay != null) {
            relayOutcome = relayOutcome(ctx);
        }
        if (relay != null && relay.tryRelay(ctx, session, packet, relayOutcome)) {
            return;
        }
        onEnginePath(ctx, packet);
    }

    private ReadRelay.Outcome relayOutcome(ChannelHandlerContext ctx) {
        return new ReadRelay.Outcome() {
            @Override
            public void relayed() {
                finishTask();
                ctx.flush();
                ctx.read();
            }

            @Override
            public void fallBack(MySqlPacket packet) {
                boolean gone;
                synchronized (lock) {
                    gone = closed;
                }
                if (gone) {
                    packet.release();
                    finishTask();
                } else {
                    onEnginePath(ctx, packet);
                }
            }

            @Override
            public void broken(Throwable cause) {
                LOG.warn("relay to the backend broke mid-response: {}", cause.toString());
                finishTask();
                ctx.close();
            }
        };
    }

    private void onEnginePath(ChannelHandlerContext ctx, MySqlPacket packet) {
        try {
            resources.jdbcExecutor().execute(() -> run(ctx, packet));
        } catch (RejectedExecutionException e) {
            packet.release();
            synchronized (lock) {
                busy = false;
            }
            session.writer().error(ErrorCodes.TOO_MANY_CONNECTIONS, "08004", "Proxy busy: too many queued commands");
            readNextAfterFlush(ctx);
        }
    }

    private void run(ChannelHandlerContext ctx, MySqlPacket packet) {
        try {
            ByteBuf in = packet.content();
            int command = in.readUnsignedByte();
            dispatch(command, in);
        } catch (SQLException e) {
            ErrorCodes.write(session.writer(), e);
        } catch (MalformedPacketException e) {
            packet.release();
            ctx.executor().execute(() -> ConnectionErrors.handle(ctx, session.writer(), e, LOG));
            return;
        } catch (RuntimeException | Error e) {
            LOG.warn("command failed unexpectedly", e);
            session.writer().error(ErrorCodes.UNKNOWN_ERROR, "HY000", "internal proxy error");
        } finally {
            finishTask();
        }
        packet.release();
        readNextAfterFlush(ctx);
    }

    /** Ends the task; a channel that closed meanwhile left the backend connection for us to close. */
    private void finishTask() {
        boolean closeNow;
        synchronized (lock) {
            busy = false;
            closeNow = closed;
        }
        if (closeNow) {
            closeSession();
        }
    }

    /** Closes the backend connection on the executor: a relay may end on the event loop, which never does JDBC. */
    private void closeSession() {
        try {
            resources.jdbcExecutor().execute(session::closeQuietly);
        } catch (RejectedExecutionException e) {
            // A full executor must not leak the backend connection; close it off the event loop anyway.
            ForkJoinPool.commonPool().execute(session::closeQuietly);
        }
    }

    private void dispatch(int command, ByteBuf in) throws SQLException {
        MySqlSession s = session;
        switch (command) {
            case COM_QUERY -> s.query(WireFormat.readRest(in));
            case COM_INIT_DB -> s.initDb(WireFormat.readRest(in));
            case COM_PING -> s.ping();
            case COM_FIELD_LIST -> s.fieldList();
            case COM_SET_OPTION -> s.setOption();
            case COM_RESET_CONNECTION -> s.reset();
            case COM_STMT_PREPARE -> s.prepared().prepare(WireFormat.readRest(in));
            case COM_STMT_EXECUTE -> s.prepared().execute(in);
            case COM_STMT_SEND_LONG_DATA -> s.prepared().longData(in);
            case COM_STMT_CLOSE -> s.prepared().close(in);
            case COM_STMT_RESET -> s.prepared().reset(in);
            case COM_SLEEP -> throw new SQLException("Unknown command", "08S01", ErrorCodes.UNKNOWN_COMMAND);
            default -> throw new SQLException("Unknown command", "08S01", ErrorCodes.UNKNOWN_COMMAND);
        }
    }

    private void readNextAfterFlush(ChannelHandlerContext ctx) {
        session.writer().flush().addListener(f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gate.changed();
        if (relay != null && ctx.channel().isWritable()) {
            relay.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            synchronized (lock) {
                if (busy) {
                    return;
                }
            }
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        gate.changed();
        if (relay != null) {
            relay.abandon();
        }
        boolean closeNow;
        synchronized (lock) {
            closeNow = !closed && !busy;
            closed = true;
        }
        if (closeNow) {
            closeSession();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.handle(ctx, session.writer(), cause, LOG);
    }
}
