package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.vshard.engine.DirectRoute;
import io.vshard.engine.Engine;
import io.vshard.engine.Session;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct path of one client session: single-shard reads outside a transaction block skip the engine. The
 * engine's router (and through it the placement function) still picks the data source and schema; then the
 * client's own messages go to a raw wire connection to that data source and the backend's answer is relayed back
 * without decoding a row. A plain read ({@link SharedUse}) goes to a connection shared with the other sessions of
 * the event loop when multiplexing is on ({@link PgSharedLink}, the default); anything else, or when no shared
 * connection takes it now, to the session's own ({@link PgBackendLink}, one per data source). {@link
 * DirectUnitDecoder} reads the units.
 *
 * <p>A unit is what the session answers at once: a simple Query holding one statement, or an extended-protocol
 * run {@code Parse* Bind [Describe portal] Execute Sync} on the unnamed portal, all of it already received.
 * Anything else (transactions, writes, fan-outs, SET and SHOW, admin SQL, several statements in one Query, named
 * portals, row limits, Describe of a statement, a migration in progress) goes down the engine path, which keeps
 * every statement the session prepared: Parse is always answered and registered locally, and a backend gets the
 * statement prepared under the client's name just before its first Bind there.
 *
 * <p>Before a unit runs, the connection is pointed at the route's schema with the session's remembered settings
 * replayed ({@code RESET ALL}, {@code SET search_path}, the SETs) when it was last pointed elsewhere. If the
 * connection cannot be opened or the replay fails, the unit falls back to the engine path before anything was
 * relayed; a connection lost mid-answer ends the statement with SQLSTATE 08006.
 *
 * <p>Threading: confined to the client channel's event loop, and used only while no engine batch runs for the
 * session (the session's state is handed over by the worker's completion task).
 */
final class PgDirectPath {

    private static final Logger LOG = LoggerFactory.getLogger(PgDirectPath.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final PgProxyServer.Shared shared;
    private final PgSession session;
    private final Channel client;
    private final Map<String, PgBackendLink> links = new HashMap<>();
    private final DirectUnitDecoder units;
    private final Engine engine;
    private boolean closed;
    /** The shared link running this session's unit now, and that unit; {@code null} when none does. */
    private PgSharedLink sharedLink;

    private PgSharedLink.Unit sharedUnit;
    /** The client once held up a shared link: its units keep to its own links. */
    private boolean slowReader;
    /** The session made a temporary object through the engine path: every statement goes there from now on. */
    private boolean pinned;

    private PgDirectPath(PgProxyServer.Shared shared, Session engineSession, PgSession session, Channel client) {
        this.shared = shared;
        this.session = session;
        this.client = client;
        this.engine = engineSession.engine();
        this.units = new DirectUnitDecoder(shared, engine, engineSession, session, links::containsKey);
    }

    /** The direct path of {@code session}, or {@code null} when it is not served by a vshard engine. */
    static PgDirectPath of(PgProxyServer.Shared shared, PgSession session, Channel client) {
        if (!shared.config().directForwarding()) {
            return null;
        }
        try {
            if (!session.connection().isWrapperFor(Session.class)) {
                return null;
            }
            return new PgDirectPath(shared, session.connection().unwrap(Session.class), session, client);
        } catch (SQLException e) {
            return null;
        }
    }

    /**
     * Looks at messages about to be handled (by either path): one that makes a temporary object pins the session to
     * the engine path for good, since only the engine's backend session will see that object.
     */
    void notice(Iterable<FrontendMessage> messages) {
        for (FrontendMessage m : messages) {
            String sql = m instanceof FrontendMessage.Query q
                    ? q.sql()
                    : m instanceof FrontendMessage.Parse p ? p.sql() : null;
            if (sql != null && !pinned && SharedUse.makesTemporaryObject(sql)) {
                pinned = true;
                LOG.debug("pgwire: a session made a temporary object; its statements keep to the engine path");
            }
        }
    }

    /**
     * Takes the unit at the head of {@code pending} and starts it when the direct path can answer it exactly.
     * {@code finished} later gets {@code null} when the unit was answered, or the messages the engine path must
     * still handle (the unit minus its Parses, which were answered); it may run before this method returns.
     *
     * @return false, leaving {@code pending} untouched, when the engine path must take the unit
     */
    boolean start(ArrayDeque<FrontendMessage> pending, Consumer<List<FrontendMessage>> finished) {
        if (closed || pinned || session.transactionStatus() != 'I' || session.skippingToSync()) {
            return false;
        }
        DirectUnit unit = units.classify(pending);
        if (unit == null) {
            return false;
        }
        for (int i = 0; i < unit.messages().size(); i++) {
            pending.poll();
        }
        begin(unit, finished);
        return true;
    }

    /**
     * Starts the unit that {@code in} holds exactly, as the client's bytes (see {@link PgRawLane}), when the
     * direct path can relay them unchanged: a simple Query, or Bind [Describe] Execute Sync on the unnamed portal
     * of a statement the session prepared whose route is planned once ({@link PgStatement#directRead}). Takes
     * ownership of {@code in} when it returns true; {@code finished} as for {@link #start}.
     */
    boolean startRaw(ByteBuf in, Consumer<List<FrontendMessage>> finished) {
        if (closed || pinned || session.transactionStatus() != 'I' || session.skippingToSync()) {
            return false;
        }
        DirectUnit unit = units.raw(in);
        if (unit == null) {
            return false;
        }
        begin(unit, rest -> {
            in.release();
            finished.accept(rest);
        });
        return true;
    }

    private void begin(DirectUnit unit, Consumer<List<FrontendMessage>> finished) {
        if (unit.query() != null) {
            session.closeUnnamed();
        }
        for (FrontendMessage.Parse parse : unit.parses()) {
            PgStatement registered =
                    parse == parseOf(unit) ? unit.statement() : new PgStatement(parse.sql(), parse.parameterTypes());
            session.register(parse.statement(), registered);
            client.write(new BackendMessage.ParseComplete(), client.voidPromise());
        }
        share(unit, finished);
    }

    /** Runs the unit on a shared link when it may and one takes it now, else on the session's own link. */
    private void share(DirectUnit unit, Consumer<List<FrontendMessage>> finished) {
        if (shared.sharedLinks() != null && !closed && !slowReader && client.isWritable() && shareable(unit)) {
            PgSharedLink link = shared.sharedLinks()
                    .link(
                            unit.address(),
                            new PgBackendLink.SessionState(
                                    unit.route().schema(), unit.route().settings()),
                            client);
            if (link != null) {
                multiplex(unit, link, finished);
                return;
            }
        }
        runPrivately(unit, finished);
    }

    private static boolean shareable(DirectUnit unit) {
        return unit.query() != null
                ? SharedUse.shareable(unit.query().sql())
                : unit.statement().shareable();
    }

    /** Runs the unit on the session's own connection to its data source, opening one when there is none. */
    private void runPrivately(DirectUnit unit, Consumer<List<FrontendMessage>> finished) {
        if (closed) {
            // A shared link refused the unit after the client went away: nothing is left to answer.
            finished.accept(null);
            return;
        }
        String source = unit.route().dataSource().name();
        PgBackendLink link = links.get(source);
        if (link != null && !link.idle()) {
            // The backend went away since the last statement: log in again.
            links.remove(source).close();
            link = null;
        }
        if (link == null) {
            link = shared.links().take(unit.address(), client);
            if (link != null) {
                links.put(source, link);
            }
        }
        if (link == null) {
            PgBackendLink[] opened = new PgBackendLink[1];
            opened[0] = PgBackendLink.open(unit.address(), client, shared.backends(), CONNECT_TIMEOUT_MILLIS, why -> {
                if (why == null && !closed) {
                    links.put(source, opened[0]);
                    point(unit, opened[0], finished);
                } else {
                    if (why != null) {
                        shared.links().loginFailed(unit.address());
                        LOG.warn(
                                "pgwire: no direct connection to data source {} for 30 s, using the engine: {}",
                                source,
                                why);
                    } else {
                        opened[0].close();
                    }
                    fallBack(unit, finished);
                }
            });
        } else {
            point(unit, link, finished);
        }
    }

    private static FrontendMessage.Parse parseOf(DirectUnit unit) {
        for (FrontendMessage.Parse parse : unit.parses()) {
            if (unit.bind() != null && parse.statement().equals(unit.bind().statement())) {
                return parse;
            }
        }
        return null;
    }

    /** Points the connection at the route's schema and settings when it is not already, then runs the unit. */
    private void point(DirectUnit unit, PgBackendLink link, Consumer<List<FrontendMessage>> finished) {
        DirectRoute route = unit.route();
        PgBackendLink.SessionState have = link.state();
        if (have != null
                && have.schema().equals(route.schema())
                && have.settings().equals(route.settings())) {
            run(unit, link, finished);
            return;
        }
        PgBackendLink.SessionState wanted = new PgBackendLink.SessionState(route.schema(), route.settings());
        ByteBuf frames = client.alloc().buffer();
        FrontendFrames.query(frames, wanted.pointingSql());
        link.state(null);
        // A simple Query drops the backend's unnamed statement.
        link.forget("");
        link.exchange(frames, false, List.of(), (intact, error, relayed) -> {
            if (intact && !error) {
                link.state(wanted);
                run(unit, link, finished);
            } else {
                drop(route.dataSource().name(), link);
                fallBack(unit, finished);
            }
        });
    }

    private void run(DirectUnit unit, PgBackendLink link, Consumer<List<FrontendMessage>> finished) {
        ByteBuf frames;
        List<Byte> skips = List.of();
        String prepared = null;
        if (unit.raw() != null && (unit.query() != null || link.hasPrepared(unit.statementName(), unit.statement()))) {
            // The client's own bytes: nothing to add, nothing to drop.
            frames = unit.raw().retainedDuplicate();
            if (unit.query() != null) {
                link.forget("");
            }
        } else if (unit.query() != null) {
            frames = client.alloc().buffer();
            FrontendFrames.query(frames, unit.query().sql());
            // A simple Query drops the backend's unnamed statement.
            link.forget("");
        } else {
            frames = client.alloc().buffer();
            skips = new ArrayList<>(2);
            String name = unit.statementName();
            if (!link.hasPrepared(name, unit.statement())) {
                if (!name.isEmpty()) {
                    FrontendFrames.close(frames, (byte) 'S', name);
                    skips.add((byte) '3');
                }
                FrontendFrames.parse(frames, name, unit.statement().sql, unit.statement().declaredTypes);
                skips.add((byte) '1');
                link.prepared(name, unit.statement());
                prepared = name;
            }
            if (unit.raw() != null) {
                frames.writeBytes(
                        unit.raw(), unit.raw().readerIndex(), unit.raw().readableBytes());
            } else {
                FrontendMessage.Bind bind = unit.bind();
                FrontendFrames.bind(frames, bind);
                if (unit.describe()) {
                    FrontendFrames.describe(frames, (byte) 'P', bind.portal());
                }
                FrontendFrames.execute(frames, bind.portal(), 0);
                FrontendFrames.sync(frames);
            }
        }
        shared.stats().directForwarded();
        if (unit.raw() != null) {
            shared.stats().directUndecoded();
        }
        String injected = prepared;
        long started = System.nanoTime();
        link.exchange(frames, true, skips, (intact, error, relayed) -> {
            long took = System.nanoTime() - started;
            shared.stats().statementExecuted(took);
            ranOnBackend(unit, took, intact, error, relayed);
            if (error) {
                shared.stats().statementFailed();
                if (injected != null) {
                    link.forget(injected);
                }
            }
            if (intact) {
                finished.accept(null);
            } else if (!relayed && !error) {
                drop(unit.route().dataSource().name(), link);
                fallBack(unit, finished);
            } else {
                drop(unit.route().dataSource().name(), link);
                lost(unit, finished);
            }
        });
    }

    /**
     * Runs the unit on a link shared with other sessions ({@link PgSharedLink}): as the client's bytes for a simple
     * Query, else as a Bind of the link's own name for the statement, once the link has it prepared. A statement the
     * link cannot prepare sends the unit to the session's own link.
     */
    private void multiplex(DirectUnit unit, PgSharedLink link, Consumer<List<FrontendMessage>> finished) {
        if (unit.query() != null) {
            ByteBuf frames;
            if (unit.raw() != null) {
                frames = unit.raw().retainedDuplicate();
            } else {
                frames = client.alloc().buffer();
                FrontendFrames.query(frames, unit.query().sql());
            }
            submit(unit, link, frames, finished);
            return;
        }
        link.withStatement(
                unit.statement(),
                name -> submit(unit, link, bindFrames(unit, name), finished),
                () -> runPrivately(unit, finished));
    }

    /** The unit's Bind [Describe] Execute Sync with the statement renamed to {@code name}. */
    private ByteBuf bindFrames(DirectUnit unit, String name) {
        ByteBuf raw = unit.raw();
        ByteBuf frames = client.alloc().buffer(raw == null ? 256 : raw.readableBytes() + name.length());
        if (raw != null) {
            // 'B', length, the unnamed portal's NUL, then the client's statement name: replaced, the rest copied.
            int at = raw.readerIndex();
            int nameEnd = raw.indexOf(at + 6, raw.writerIndex(), (byte) 0);
            int bindLength = raw.getInt(at + 1);
            frames.writeByte('B');
            frames.writeInt(bindLength - (nameEnd - (at + 6)) + name.length());
            frames.writeByte(0);
            frames.writeCharSequence(name, StandardCharsets.US_ASCII);
            frames.writeByte(0);
            frames.writeBytes(raw, nameEnd + 1, raw.writerIndex() - (nameEnd + 1));
            return frames;
        }
        FrontendMessage.Bind bind = unit.bind();
        FrontendFrames.bind(
                frames,
                new FrontendMessage.Bind(
                        bind.portal(), name, bind.parameterFormats(), bind.values(), bind.resultFormats()));
        if (unit.describe()) {
            FrontendFrames.describe(frames, (byte) 'P', bind.portal());
        }
        FrontendFrames.execute(frames, bind.portal(), 0);
        FrontendFrames.sync(frames);
        return frames;
    }

    private void submit(DirectUnit unit, PgSharedLink link, ByteBuf frames, Consumer<List<FrontendMessage>> finished) {
        shared.stats().directForwarded();
        shared.stats().directMultiplexed();
        if (unit.raw() != null) {
            shared.stats().directUndecoded();
        }
        long started = System.nanoTime();
        sharedLink = link;
        sharedUnit = link.submit(
                client,
                frames,
                (intact, error, relayed) -> {
                    sharedLink = null;
                    sharedUnit = null;
                    long took = System.nanoTime() - started;
                    shared.stats().statementExecuted(took);
                    ranOnBackend(unit, took, intact, error, relayed);
                    if (error) {
                        shared.stats().statementFailed();
                    }
                    if (intact) {
                        finished.accept(null);
                    } else if (!relayed && !error) {
                        // Moved off a link held by a long head, or the link died before it ran: a plain read.
                        share(unit, finished);
                    } else {
                        lost(unit, finished);
                    }
                },
                () -> slowReader = true);
    }

    /**
     * Feeds a unit's outcome to the engine's health window, as the engine path's statements do, so the manifest's
     * health triggers see the proxy's direct traffic. A unit that never reached the backend (it goes to another
     * link or to the engine path, which times it there) is not counted.
     */
    private void ranOnBackend(DirectUnit unit, long nanos, boolean intact, boolean error, boolean relayed) {
        if (intact || error || relayed) {
            engine.recordDirectStatement(unit.route().dataSource().name(), nanos, error || !intact);
        }
    }

    /** Ends a unit whose answer was cut off by a lost backend connection with SQLSTATE 08006. */
    private void lost(DirectUnit unit, Consumer<List<FrontendMessage>> finished) {
        client.write(PgErrors.error(
                "ERROR",
                "08006",
                "lost the connection to data source "
                        + unit.route().dataSource().name()
                        + " (schema "
                        + unit.route().schema()
                        + ") while it ran the statement"));
        client.writeAndFlush(new BackendMessage.ReadyForQuery((byte) 'I')).addListener(f -> finished.accept(null));
    }

    private void drop(String source, PgBackendLink link) {
        if (links.get(source) == link) {
            links.remove(source);
        }
        link.close();
    }

    /** Hands the unit to the engine path; its Parses were answered already. */
    private static void fallBack(DirectUnit unit, Consumer<List<FrontendMessage>> finished) {
        if (unit.raw() != null) {
            // Checked frame by frame when the unit was taken: these decode.
            finished.accept(PgFrontendDecoder.decodeAll(unit.raw().duplicate()));
            return;
        }
        List<FrontendMessage> rest = new ArrayList<>(unit.messages().size());
        for (FrontendMessage m : unit.messages()) {
            if (!(m instanceof FrontendMessage.Parse)) {
                rest.add(m);
            }
        }
        finished.accept(rest);
    }

    /** The client channel became writable: relayed answers may be read on. */
    void clientWritable() {
        links.values().forEach(PgBackendLink::clientWritable);
        if (sharedLink != null) {
            sharedLink.clientWritable(client);
        }
    }

    /** Cancels what the session's backends run now (a client CancelRequest). */
    void cancel() {
        client.eventLoop().execute(() -> {
            links.values().forEach(link -> link.cancel(shared.workers()));
            // Not once the client is gone: the cancel could arrive after its unit and stop the next client's.
            if (sharedLink != null && !closed) {
                sharedLink.cancel(sharedUnit);
            }
        });
    }

    /** Hands every backend connection back to the pool (or closes it when it is busy). */
    void close() {
        closed = true;
        if (sharedLink != null) {
            // A shared link held up by this client's answer reads on (the rest of the answer is dropped).
            sharedLink.clientWritable(client);
        }
        links.forEach((source, link) -> shared.links().give(link, units.address(source), client.eventLoop()));
        links.clear();
    }
}
