package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.vshard.config.DataSourceConfig;
import io.vshard.engine.DirectRead;
import io.vshard.engine.DirectRoute;
import io.vshard.engine.Engine;
import io.vshard.engine.Session;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the unit a session's direct path could answer next ({@link DirectUnit}) out of decoded messages, or out of
 * one socket read left undecoded, and asks the engine's router for its route: {@code null} whenever the engine path
 * must take the messages (see {@link PgDirectPath} for what a unit is). Undecoded, only the shard-key parameter of a
 * Bind is decoded.
 *
 * <p>Threading: confined to the client channel's event loop, like the direct path it serves.
 */
final class DirectUnitDecoder {

    private final PgProxyServer.Shared shared;
    private final Engine engine;
    private final Session engineSession;
    private final PgSession session;
    private final Predicate<String> linked;
    private final Map<String, BackendAddress> addresses = new HashMap<>();
    private final ParameterCapture parameters = new ParameterCapture();

    /** @param linked whether the session holds a connection to the named data source already */
    DirectUnitDecoder(
            PgProxyServer.Shared shared,
            Engine engine,
            Session engineSession,
            PgSession session,
            Predicate<String> linked) {
        this.shared = shared;
        this.engine = engine;
        this.engineSession = engineSession;
        this.session = session;
        this.linked = linked;
    }

    /**
     * The unit that {@code in} holds exactly, as the client's bytes: a simple Query, or Bind [Describe] Execute Sync
     * on the unnamed portal of a statement whose route is planned once; {@code null} otherwise.
     */
    DirectUnit raw(ByteBuf in) {
        return in.getByte(in.readerIndex()) == 'Q' ? rawQuery(in) : rawBind(in);
    }

    /** Where the data source {@code source} was last found, or {@code null}. */
    BackendAddress address(String source) {
        return addresses.get(source);
    }

    /** The head unit of {@code pending} when the direct path can take it, else {@code null}. */
    DirectUnit classify(ArrayDeque<FrontendMessage> pending) {
        FrontendMessage head = pending.peek();
        if (head instanceof FrontendMessage.Query query) {
            return queryUnit(query, null);
        }
        return classifyExtended(pending);
    }

    /**
     * The unit of one simple Query holding a single forwardable statement, or {@code null}; {@code raw} is the
     * client's frame to send on unchanged, or {@code null} when the Query arrived decoded.
     */
    private DirectUnit queryUnit(FrontendMessage.Query query, ByteBuf raw) {
        List<SqlScanner.Piece> pieces = SqlScanner.split(query.sql());
        if (pieces.size() != 1 || !forwardable(CommandTag.of(pieces.get(0).sql()))) {
            return null;
        }
        DirectRoute route = engine.directRoute(pieces.get(0).sql(), List.of(), engineSession);
        BackendAddress address = route == null ? null : address(route.dataSource());
        if (address == null) {
            return null;
        }
        return raw == null
                ? new DirectUnit(List.of(query), List.of(), query, null, null, false, route, address)
                : new DirectUnit(List.of(), List.of(), query, null, null, false, route, address, raw, null);
    }

    private DirectUnit classifyExtended(ArrayDeque<FrontendMessage> pending) {
        List<FrontendMessage> messages = new ArrayList<>(5);
        List<FrontendMessage.Parse> parses = List.of();
        Map<String, PgStatement> parsed = Map.of();
        FrontendMessage.Bind bind = null;
        boolean describe = false;
        boolean executed = false;
        Iterator<FrontendMessage> it = pending.iterator();
        while (true) {
            if (!it.hasNext()) {
                return null;
            }
            FrontendMessage m = it.next();
            messages.add(m);
            if (m instanceof FrontendMessage.Parse p && bind == null) {
                if (!acceptableParse(p, parsed)) {
                    return null;
                }
                if (parses.isEmpty()) {
                    parses = new ArrayList<>(1);
                    parsed = new HashMap<>(2);
                }
                parses.add(p);
                parsed.put(p.statement(), new PgStatement(p.sql(), p.parameterTypes()));
            } else if (m instanceof FrontendMessage.Bind b && bind == null) {
                if (!b.portal().isEmpty()) {
                    return null;
                }
                bind = b;
            } else if (m instanceof FrontendMessage.Describe d && bind != null && !executed && !describe) {
                if (d.kind() != 'P' || !d.name().isEmpty()) {
                    return null;
                }
                describe = true;
            } else if (m instanceof FrontendMessage.Execute e && bind != null && !executed) {
                if (!e.portal().isEmpty() || e.maxRows() != 0) {
                    return null;
                }
                executed = true;
            } else if (m instanceof FrontendMessage.Sync && executed) {
                break;
            } else {
                return null;
            }
        }
        PgStatement statement = parsed.get(bind.statement());
        if (statement == null) {
            statement = session.findStatement(bind.statement());
        }
        if (statement == null || !bindable(statement, bind)) {
            return null;
        }
        DirectRoute route;
        try {
            route = engine.directRoute(statement.rewritten.sql(), parameters.of(statement, bind), engineSession);
        } catch (SQLException | RuntimeException e) {
            // The engine path reports the bad value with its SQLSTATE.
            return null;
        }
        BackendAddress address = route == null ? null : address(route.dataSource());
        if (address == null) {
            return null;
        }
        return new DirectUnit(messages, parses, null, bind, statement, describe, route, address);
    }

    /** The unit of a read holding exactly one simple Query frame, or {@code null}. */
    private DirectUnit rawQuery(ByteBuf in) {
        int at = in.readerIndex();
        int end = frameEnd(in, at, in.writerIndex());
        // One NUL, the last byte, as the decoder requires of the text.
        if (end != in.writerIndex() || end - at < 6 || in.indexOf(at + 5, end, (byte) 0) != end - 1) {
            return null;
        }
        return queryUnit(
                new FrontendMessage.Query(in.toString(at + 5, end - 1 - (at + 5), StandardCharsets.UTF_8)), in);
    }

    /**
     * The unit of a read holding exactly {@code Bind [Describe portal] Execute Sync} on the unnamed portal, no row
     * limit, of a statement with a route planned once; {@code null} otherwise. Only the shard-key parameter, if
     * any, is decoded.
     */
    private DirectUnit rawBind(ByteBuf in) {
        int end = in.writerIndex();
        int bind = in.readerIndex();
        int bindEnd = frameEnd(in, bind, end);
        if (bindEnd < 0 || in.getByte(bind) != 'B' || in.getByte(bind + 5) != 0) {
            return null;
        }
        int p = bind + 6;
        int nameEnd = in.indexOf(p, bindEnd, (byte) 0);
        if (nameEnd < 0) {
            return null;
        }
        String name = nameEnd == p ? "" : in.toString(p, nameEnd - p, StandardCharsets.UTF_8);
        PgStatement statement = session.findStatement(name);
        if (statement == null || statement.isEmpty() || !forwardable(statement.tag)) {
            return null;
        }
        DirectRead read = statement.directRead(engine);
        if (read == null) {
            return null;
        }
        p = nameEnd + 1;
        int formats = shortAt(in, p, bindEnd);
        int formatsAt = p + 2;
        p = formatsAt + 2 * formats;
        int count = shortAt(in, p, bindEnd);
        int required = statement.rewritten.parameterCount();
        if (formats < 0
                || count != required
                || (formats > 1 && formats != required)
                || !formatCodes(in, formatsAt, formats)) {
            return null;
        }
        p += 2;
        int key = read.keyParameter() < 0 ? -1 : statement.rewritten.parameterOrder()[read.keyParameter()];
        int keyAt = -1;
        int keyLength = -1;
        for (int i = 0; i < count; i++) {
            if (p + 4 > bindEnd) {
                return null;
            }
            int length = in.getInt(p);
            p += 4;
            if (length < -1 || length > bindEnd - p) {
                return null;
            }
            if (i == key) {
                keyAt = p;
                keyLength = length;
            }
            p += Math.max(length, 0);
        }
        int results = shortAt(in, p, bindEnd);
        if (results < 0 || p + 2 + 2 * results != bindEnd || !formatCodes(in, p + 2, results)) {
            return null;
        }
        p = bindEnd;
        boolean describe = false;
        if (p + 7 <= end && in.getByte(p) == 'D') {
            if (in.getInt(p + 1) != 6 || in.getByte(p + 5) != 'P' || in.getByte(p + 6) != 0) {
                return null;
            }
            describe = true;
            p += 7;
        }
        if (p + 15 != end
                || in.getByte(p) != 'E'
                || in.getInt(p + 1) != 9
                || in.getByte(p + 5) != 0
                || in.getInt(p + 6) != 0
                || in.getByte(p + 10) != 'S'
                || in.getInt(p + 11) != 4) {
            return null;
        }
        Object keyValue = null;
        if (key >= 0) {
            if (keyLength < 0) {
                return null;
            }
            byte[] value = new byte[keyLength];
            in.getBytes(keyAt, value);
            boolean binary = formats != 0 && in.getShort(formatsAt + (formats == 1 ? 0 : 2 * key)) == 1;
            try {
                keyValue = parameters.one(statement, key, value, binary);
            } catch (SQLException | RuntimeException e) {
                // The engine path reports the bad value with its SQLSTATE.
                return null;
            }
        }
        DirectRoute route = read.route(keyValue, engineSession);
        BackendAddress address = route == null ? null : address(route.dataSource());
        return address == null
                ? null
                : new DirectUnit(List.of(), List.of(), null, null, statement, describe, route, address, in, name);
    }

    /** The end of the frame starting at {@code at}, or -1 when it is malformed, too large or not whole before {@code end}. */
    private int frameEnd(ByteBuf in, int at, int end) {
        if (end - at < 5) {
            return -1;
        }
        int length = in.getInt(at + 1);
        if (length < 4 || length > shared.config().maxMessageSize() || length > end - at - 1) {
            return -1;
        }
        return at + 1 + length;
    }

    /** The unsigned int16 at {@code at}, or -1 when it does not end before {@code end}. */
    private static int shortAt(ByteBuf in, int at, int end) {
        return at + 2 > end ? -1 : in.getUnsignedShort(at);
    }

    /** Whether the {@code count} format codes at {@code at} are all text (0) or binary (1). */
    private static boolean formatCodes(ByteBuf in, int at, int count) {
        for (int i = 0; i < count; i++) {
            short code = in.getShort(at + 2 * i);
            if (code != 0 && code != 1) {
                return false;
            }
        }
        return true;
    }

    private boolean acceptableParse(FrontendMessage.Parse p, Map<String, PgStatement> parsed) {
        if (parsed.containsKey(p.statement())) {
            return false;
        }
        if (!p.statement().isEmpty() && session.findStatement(p.statement()) != null) {
            return false;
        }
        return SqlScanner.split(p.sql()).size() <= 1;
    }

    /**
     * Whether a statement of this kind may be relayed: not transaction control, and not COPY, whose sub-protocol
     * (CopyData from the client) the proxy does not carry.
     */
    private static boolean forwardable(CommandTag tag) {
        return tag.kind() == CommandTag.Kind.OTHER && !tag.verb().equals("COPY");
    }

    /** Whether the statement may run directly with this Bind (the engine path reports every mismatch). */
    private static boolean bindable(PgStatement statement, FrontendMessage.Bind bind) {
        if (statement.isEmpty() || !forwardable(statement.tag)) {
            return false;
        }
        int required = statement.rewritten.parameterCount();
        int formats = bind.parameterFormats().length;
        return bind.values().size() == required && (formats <= 1 || formats == required);
    }

    /** Where a direct connection to {@code source} goes, or {@code null} when none can be made now. */
    private BackendAddress address(DataSourceConfig source) {
        BackendAddress address = addresses.computeIfAbsent(source.name(), n -> BackendAddress.of(source));
        return address == null || (!linked.test(source.name()) && shared.links().refused(address)) ? null : address;
    }
}
