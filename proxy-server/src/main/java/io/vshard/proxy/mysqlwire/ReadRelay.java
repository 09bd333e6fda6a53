package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.vshard.config.Dialect;
import io.vshard.engine.Engine;
import io.vshard.engine.PointRead;
import io.vshard.engine.ShardTarget;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The fast path of a session: a {@code COM_QUERY} or {@code COM_STMT_EXECUTE} that the engine's router (hence
 * the one placement function) sends to exactly one MySQL shard as a plain read is relayed over a
 * {@link BackendLink} of the client's event loop: the statement, schema-qualified by the engine, goes to the
 * backend, and the backend's response packets go to the client unchanged, with no JDBC and no re-encoding. A
 * prepared point read is routed once per statement ({@link Engine#pointRead}): each execution decodes only the
 * shard-key parameter and calls the placement function, under the engine's rule that nothing bypasses it while a
 * migration is published.
 * Everything else (writes, transactions, fan-outs, admin and session statements, sessions that changed
 * settings) takes the engine path. Runs on the event loop; one exchange at a time per session, pipelined with
 * other sessions' reads over the loop's shared links ({@link BackendLinks}).
 */
final class ReadRelay {
    private static final int COM_QUERY = 0x03;
    private static final int COM_STMT_EXECUTE = 0x17;

    /** What the command handler does when the relay ends. */
    interface Outcome {
        /** The response went to the client (not flushed yet). */
        void relayed();

        /** The relay could not start: run the command on the engine path instead. */
        void fallBack(MySqlPacket packet);

        /** The relay broke after part of the response went to the client. */
        void broken(Throwable cause);
    }

    private final Engine engine;
    private final BackendLinks links;
    private final RelayCounts counts;
    private final Map<String, BackendAddress> addresses = new ConcurrentHashMap<>();
    private final RelayExchange exchange = new RelayExchange();
    private BackendLink active;

    ReadRelay(Engine engine, BackendLinks links, RelayCounts counts) {
        this.engine = engine;
        this.links = links;
        this.counts = counts;
    }

    /**
     * Relays the command when it is a single-shard read; returns {@code false} (packet untouched) otherwise.
     * When it returns {@code true} the relay owns the packet and reports through {@code outcome}.
     */
    boolean tryRelay(ChannelHandlerContext ctx, MySqlSession session, MySqlPacket packet, Outcome outcome) {
        if (!session.relayable()) {
            return false;
        }
        ByteBuf in = packet.content();
        int command = in.getUnsignedByte(in.readerIndex());
        Prepared plan = command == COM_QUERY ? query(in) : command == COM_STMT_EXECUTE ? execute(session, in) : null;
        if (plan == null) {
            return false;
        }
        int capabilities = session.writer().capabilities();
        Future<BackendLink> acquired = links.acquire(ctx.channel().eventLoop(), plan.address(), capabilities);
        if (acquired.isSuccess()) {
            // The usual case, an open link of this loop: no listener, no task.
            start(ctx, packet, outcome, plan, acquired.getNow());
        } else {
            acquired.addListener(f -> {
                if (!f.isSuccess() || !ctx.channel().isActive()) {
                    outcome.fallBack(packet);
                    return;
                }
                start(ctx, packet, outcome, plan, (BackendLink) f.getNow());
            });
        }
        return true;
    }

    private void start(
            ChannelHandlerContext ctx, MySqlPacket packet, Outcome outcome, Prepared plan, BackendLink link) {
        active = link;
        exchange.begin(packet, outcome, plan.point(), plan.address().name());
        if (plan.query() != null) {
            link.query(plan.query().apply(0), ctx.channel(), exchange);
        } else {
            link.execute(plan.sql(), plan.execute(), ctx.channel(), exchange);
        }
        if (link.inFlight() > 1) {
            counts.pipelinedCommand();
        }
    }

    /** The one exchange a session has in flight at a time, reused. */
    private final class RelayExchange implements BackendLink.Exchange {
        private MySqlPacket packet;
        private Outcome outcome;
        private boolean point;
        private String dataSource;
        private long started;

        void begin(MySqlPacket packet, Outcome outcome, boolean point, String dataSource) {
            this.packet = packet;
            this.outcome = outcome;
            this.point = point;
            this.dataSource = dataSource;
            this.started = System.nanoTime();
        }

        @Override
        public void relayed(boolean error) {
            MySqlPacket p = packet;
            Outcome o = outcome;
            counts.relayed(point);
            // The engine's health window sees relayed reads as it sees its own statements: the manifest's health
            // triggers judge the proxy's whole traffic.
            engine.recordDirectStatement(dataSource, System.nanoTime() - started, error);
            clear();
            p.release();
            o.relayed();
        }

        @Override
        public void failed(Throwable cause, boolean relayedAny) {
            MySqlPacket p = packet;
            Outcome o = outcome;
            clear();
            if (relayedAny) {
                engine.recordDirectStatement(dataSource, System.nanoTime() - started, true);
                p.release();
                o.broken(cause);
            } else {
                o.fallBack(p);
            }
        }

        private void clear() {
            active = null;
            packet = null;
            outcome = null;
        }
    }

    /** Resumes reading the backend once the client can take more. */
    void resume() {
        if (active != null) {
            active.resume();
        }
    }

    /**
     * The client went away mid-relay: the link drops the rest of its response and goes on serving the other
     * clients; the exchange still ends (releasing the command) when that response is through.
     */
    void abandon() {
        if (active != null) {
            active.forget(exchange);
        }
    }

    /**
     * A relayable command: the backend address, and either a framed query or the prepared text with a builder of
     * the framed execute for the backend's statement id.
     */
    private record Prepared(
            BackendAddress address,
            IntFunction<ByteBuf> query,
            String sql,
            IntFunction<ByteBuf> execute,
            boolean point) {}

    private Prepared query(ByteBuf in) {
        String sql = in.toString(in.readerIndex() + 1, in.readableBytes() - 1, StandardCharsets.UTF_8);
        if (sql.indexOf(';') >= 0 || SessionStatement.classify(sql).kind() != SessionStatement.Kind.OTHER) {
            return null; // several statements, or one the session answers itself
        }
        ShardTarget target = route(sql, List.of());
        BackendAddress address = address(target);
        if (address == null) {
            return null;
        }
        byte[] text = target.sql().getBytes(StandardCharsets.UTF_8);
        IntFunction<ByteBuf> frame = unused -> in.alloc()
                .buffer(5 + text.length)
                .writeMediumLE(1 + text.length)
                .writeByte(0)
                .writeByte(COM_QUERY)
                .writeBytes(text);
        return new Prepared(address, frame, null, null, false);
    }

    private Prepared execute(MySqlSession session, ByteBuf in) {
        int p = in.readerIndex() + 1;
        if (in.readableBytes() < 10 || in.getUnsignedByte(p + 4) != 0) {
            return null; // truncated (the engine path reports it) or a cursor, which relays do not keep
        }
        ServerStatement statement = session.prepared().get(in.getIntLE(p));
        if (statement == null || statement.hasLongData()) {
            return null;
        }
        int count = statement.parameterCount();
        int[] types = statement.parameterTypes();
        int bitmapAt = p + 9;
        int bitmapLength = (count + 7) / 8;
        int valuesAt = bitmapAt;
        if (count > 0) {
            int q = bitmapAt + bitmapLength;
            if (in.writerIndex() < q + 1) {
                return null;
            }
            boolean bound = in.getByte(q) == 1;
            q++;
            if (bound) {
                if (in.writerIndex() < q + 2 * count) {
                    return null;
                }
                for (int i = 0; i < count; i++) {
                    types[i] = in.getUnsignedShortLE(q + 2 * i);
                }
                q += 2 * count;
            }
            valuesAt = q;
        }
        ShardTarget target;
        int end;
        PointRead point = statement.pointRead(engine);
        if (point != null) {
            // Planned once per statement: only the shard-key parameter is decoded, and the placement function
            // called; the values go to the backend as the client sent them.
            Object key = keyValue(in, bitmapAt, valuesAt, types, point.keyParameter());
            target = key == null ? null : point.target(key);
            end = in.writerIndex();
        } else {
            List<Object> values = new ArrayList<>(count);
            int readerIndex = in.readerIndex();
            in.readerIndex(valuesAt);
            try {
                for (int i = 0; i < count; i++) {
                    boolean isNull = (in.getByte(bitmapAt + i / 8) & (1 << (i % 8))) != 0;
                    values.add(isNull ? null : BinaryParameterReader.value(types[i], in));
                }
                end = in.readerIndex();
            } catch (MalformedPacketException e) {
                return null;
            } finally {
                in.readerIndex(readerIndex);
            }
            target = route(statement.sql(), values);
        }
        BackendAddress address = address(target);
        if (address == null) {
            return null;
        }
        int from = valuesAt;
        int to = end;
        IntFunction<ByteBuf> frame = id -> {
            int length = 10 + (count > 0 ? bitmapLength + 1 + 2 * count : 0) + (to - from);
            ByteBuf out = in.alloc().buffer(4 + length);
            out.writeMediumLE(length).writeByte(0);
            out.writeByte(COM_STMT_EXECUTE).writeIntLE(id).writeByte(0).writeIntLE(1);
            if (count > 0) {
                out.writeBytes(in, bitmapAt, bitmapLength);
                out.writeByte(1); // the backend's statement may be new to these types, so they are always sent
                for (int i = 0; i < count; i++) {
                    out.writeShortLE(types[i]);
                }
                out.writeBytes(in, from, to - from);
            }
            return out;
        };
        return new Prepared(address, null, target.sql(), frame, point != null);
    }

    /**
     * The value of parameter {@code k} of a binary execute, skipping the ones before it, or {@code null} when it is
     * NULL or malformed (the engine path decides those).
     */
    private static Object keyValue(ByteBuf in, int bitmapAt, int valuesAt, int[] types, int k) {
        if (k >= types.length || (in.getByte(bitmapAt + k / 8) & (1 << (k % 8))) != 0) {
            return null;
        }
        int readerIndex = in.readerIndex();
        in.readerIndex(valuesAt);
        try {
            for (int i = 0; i < k; i++) {
                if ((in.getByte(bitmapAt + i / 8) & (1 << (i % 8))) == 0) {
                    BinaryParameterReader.value(types[i], in);
                }
            }
            return BinaryParameterReader.value(types[k], in);
        } catch (MalformedPacketException | IndexOutOfBoundsException e) {
            return null;
        } finally {
            in.readerIndex(readerIndex);
        }
    }

    private ShardTarget route(String sql, List<Object> parameters) {
        try {
            return engine.singleShardRead(sql, parameters);
        } catch (SQLException | RuntimeException e) {
            return null; // the engine path reports it
        }
    }

    private BackendAddress address(ShardTarget target) {
        if (target == null || !target.schemaQualified()) {
            return null;
        }
        BackendAddress known = addresses.get(target.dataSource().name());
        if (known != null) {
            return known;
        }
        if (target.dataSource().dialect() != Dialect.MYSQL) {
            return null;
        }
        BackendAddress parsed = BackendAddress.of(target.dataSource());
        if (parsed != null) {
            addresses.put(target.dataSource().name(), parsed);
        }
        return parsed;
    }
}
