package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One raw PostgreSQL connection shared by the direct units of many client sessions of one event loop, all pointed
 * at the same schema and settings ({@link PgSharedLinks}). Units are pipelined: each is written behind the ones in
 * flight, and the writes of one event-loop pass go out in one flush, so one send and one backend wake-up serve
 * every unit that arrived in that pass.
 *
 * <p>What it guarantees. Every unit ends in Sync (or is one simple Query), so the backend answers it up to its own
 * ReadyForQuery and an error stops at that unit's Sync: answers are matched to clients in order, one unit per
 * ReadyForQuery, and a failing unit never fails the next client's. Prepared statements are named per link
 * ({@code vs_<n>} for a text and its declared types), not per client; a statement is sent as {@code Parse Sync}
 * alone and no unit using it is written until its ParseComplete came, so a failed Parse is seen only by the units
 * that needed it, which then run on their sessions' own links (and so get the backend's own error there). A
 * ReadyForQuery that is not 'I' (a function left a transaction open) poisons the link: the answer goes on marked
 * idle, the link is closed, and the units behind it end unanswered, which sends them to the engine path.
 *
 * <p>Head-of-line bounds. A unit that waited {@code queueMillis} behind a head still running (a long statement, or
 * a head whose client does not read) is moved off: the link retires (takes no new units, and closes once the head
 * is answered), and every unit behind the head is ended unanswered, so its session runs it again elsewhere (another
 * shared link or its own); the backend's answers to those abandoned copies are dropped. They are plain reads
 * ({@link SharedUse}), so running one twice changes nothing a client sees. While the client at the head cannot take
 * more bytes the link stops reading the backend and takes no new units; after {@code stallMillis} the head's answer
 * is read on regardless (its session is told it is slow and keeps to its own links from then on), and a head that
 * still holds more than {@code headBytes} unflushed is disconnected.
 *
 * <p>A backend that goes away (terminated, crashed, a broken frame) ends the units in flight unanswered: those that
 * got nothing yet run again elsewhere, the one whose answer was cut off (or that got the backend's FATAL error,
 * which is not relayed, since the client's own session lives on) ends with SQLSTATE 08006 naming the data source.
 *
 * <p>Threading: the backend channel lives on the event loop of the clients it serves; every method runs there.
 */
final class PgSharedLink extends BackendFrameReader {

    private static final Logger LOG = LoggerFactory.getLogger(PgSharedLink.class);
    /** Most statements one link prepares; units of further statements keep to their sessions' own links. */
    private static final int MAX_STATEMENTS = 256;

    /** A unit written and not yet answered, or a Parse the link sent for itself ({@code client == null}). */
    static final class Unit {
        private final Channel client;
        private final PgBackendLink.Done done;
        private final Runnable slow;
        private boolean error;
        private boolean relayed;
        private boolean overflow;
        /** Moved off the link: its answer is dropped and nobody is told when it ends. */
        private boolean abandoned;

        private Unit(Channel client, PgBackendLink.Done done, Runnable slow) {
            this.client = client;
            this.done = done;
            this.slow = slow;
        }
    }

    /** A statement prepared (or being prepared) on this link under its own name. */
    private static final class Prepared {
        private final String name;
        private boolean ready;
        private final List<Consumer<String>> waiting = new ArrayList<>(2);
        private final List<Runnable> refused = new ArrayList<>(2);

        private Prepared(String name) {
            this.name = name;
        }
    }

    private final BackendAddress address;
    private final PgWireStats stats;
    private final int processId;
    private final int secretKey;
    private final long stallMillis;
    private final long headBytes;
    private final long queueMillis;
    private final Executor blocking;
    private final ArrayDeque<Unit> inFlight = new ArrayDeque<>();
    private final Map<String, Prepared> statements = new HashMap<>();
    private final Runnable flushTask = this::flushNow;
    private final Channel backend;
    private int names;
    private boolean flushScheduled;
    private boolean stalled;
    private boolean closed;
    /** Units behind a long head were moved off: no new units; closes once the live units are answered. */
    private boolean retiring;
    /** When the head unit became the head, in {@link System#nanoTime} units. */
    private long headSince;
    /** A check of how long the head runs is scheduled. */
    private boolean watching;
    /** The client relayed bytes went to and were not flushed yet. */
    private Channel unflushed;

    /** Takes over {@code link}'s logged-in, idle connection; the bounds as the class comment describes. */
    PgSharedLink(
            PgBackendLink link,
            BackendAddress address,
            long stallMillis,
            long headBytes,
            long queueMillis,
            PgWireStats stats,
            Executor blocking) {
        this.address = address;
        this.stats = stats;
        this.processId = link.processId();
        this.secretKey = link.secretKey();
        this.stallMillis = stallMillis;
        this.headBytes = headBytes;
        this.queueMillis = queueMillis;
        this.blocking = blocking;
        this.backend = link.handOver(this);
    }

    /** Whether new units may be written now (open, and not held up by a slow head). */
    boolean accepting() {
        return !closed && !stalled && !retiring && backend.isActive();
    }

    /** Whether the link moved its units off and takes none any more (it closes by itself). */
    boolean retiring() {
        return retiring;
    }

    /** Units written and not yet answered. */
    int inFlight() {
        return inFlight.size();
    }

    /** Whether the link is gone for good. */
    boolean closed() {
        return closed || !backend.isActive();
    }

    /**
     * Calls {@code ready} with this link's name for {@code statement} once it is prepared here (at once when it is),
     * or {@code refused} when it cannot be (the Parse failed, the link died, or the link holds too many).
     */
    void withStatement(PgStatement statement, Consumer<String> ready, Runnable refused) {
        String key = statement.sql + '\0' + Arrays.toString(statement.declaredTypes);
        Prepared prepared = statements.get(key);
        if (prepared == null) {
            if (statements.size() >= MAX_STATEMENTS || closed || retiring) {
                refused.run();
                return;
            }
            Prepared fresh = new Prepared("vs_" + ++names);
            statements.put(key, fresh);
            ByteBuf frames = backend.alloc().buffer();
            FrontendFrames.parse(frames, fresh.name, statement.sql, statement.declaredTypes);
            FrontendFrames.sync(frames);
            submit(null, frames, (intact, error, relayed) -> prepared(key, fresh, intact && !error), null);
            prepared = fresh;
        }
        if (prepared.ready) {
            ready.accept(prepared.name);
        } else {
            prepared.waiting.add(ready);
            prepared.refused.add(refused);
        }
    }

    private void prepared(String key, Prepared prepared, boolean ok) {
        if (ok) {
            prepared.ready = true;
            prepared.waiting.forEach(ready -> ready.accept(prepared.name));
        } else {
            statements.remove(key, prepared);
            prepared.refused.forEach(Runnable::run);
        }
        prepared.waiting.clear();
        prepared.refused.clear();
    }

    /**
     * Writes {@code frames} (released here; they end in Sync or are one simple Query) behind the units in flight;
     * {@code done} gets the outcome at the unit's ReadyForQuery, or (not intact) when the link dies first.
     *
     * @param client where the answer goes, or {@code null} to drop it
     * @param slow told when this unit's client held up the link past the stall bound
     * @return the unit, for {@link #cancel}
     */
    Unit submit(Channel client, ByteBuf frames, PgBackendLink.Done done, Runnable slow) {
        Unit unit = new Unit(client, done, slow);
        if (closed || retiring) {
            frames.release();
            backend.eventLoop().execute(() -> done.done(false, false, false));
            return unit;
        }
        inFlight.add(unit);
        if (inFlight.size() == 1) {
            headSince = System.nanoTime();
        } else {
            watch();
        }
        // A failed write reaches exceptionCaught, which closes the channel and so ends every unit in flight.
        backend.write(frames, backend.voidPromise());
        if (!flushScheduled) {
            flushScheduled = true;
            // Runs after the loop handled every ready socket: the units of one pass share one send.
            backend.eventLoop().execute(flushTask);
        }
        return unit;
    }

    private void flushNow() {
        flushScheduled = false;
        stats.sharedLinkSend();
        backend.flush();
    }

    /** Asks the backend to cancel {@code unit}, only while it is the one running (at the head). */
    void cancel(Unit unit) {
        if (!closed && inFlight.peek() == unit) {
            cancelRunning();
        }
    }

    private void cancelRunning() {
        try {
            PgBackendLink.sendCancel(address, processId, secretKey, blocking);
        } catch (RejectedExecutionException e) {
            LOG.debug("pgwire: no worker free to cancel a statement on shared backend {}", address);
        }
    }

    /** {@code client} became writable or went away: a link stalled on it reads on. */
    void clientWritable(Channel client) {
        Unit head = inFlight.peek();
        if (stalled && head != null && head.client == client && (client.isWritable() || !client.isActive())) {
            stalled = false;
            backend.read();
        }
    }

    @Override
    boolean keepsReading() {
        return !closed;
    }

    /** Handles every whole frame in {@code in}: relays runs of the head unit's frames, ends units at ReadyForQuery. */
    @Override
    void frames(ChannelHandlerContext ctx, ByteBuf in) {
        int span = -1;
        while (in.readableBytes() >= 5) {
            int at = in.readerIndex();
            int length = in.getInt(at + 1);
            if (length < 4) {
                LOG.debug("pgwire: shared backend {} sent a frame of length {}", address, length);
                relay(in, span, at);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() - 1 < length) {
                break;
            }
            byte type = in.getByte(at);
            int end = at + 1 + length;
            Unit head = inFlight.peek();
            if (head == null) {
                in.readerIndex(end);
                if (type == 'E') {
                    // Nothing runs: the backend can only be announcing that it goes away.
                    LOG.debug("pgwire: shared backend {} sent an error while idle", address);
                    ctx.close();
                    return;
                }
                continue;
            }
            if (type == 'E') {
                head.error = true;
                if (PgErrors.fatal(in, at + 5, end)) {
                    // The backend goes away, not the client's session: the unit ends with 08006 when it closes.
                    relay(in, span, at);
                    span = -1;
                    in.readerIndex(end);
                    continue;
                }
            }
            if (span < 0 && head.client != null && !head.abandoned) {
                span = at;
            }
            in.readerIndex(end);
            if (type == 'Z') {
                boolean poisoned = in.getByte(at + 5) != 'I';
                if (poisoned) {
                    LOG.warn("pgwire: shared backend {} is left inside a transaction; closing it", address);
                    in.setByte(at + 5, 'I');
                    closed = true;
                }
                inFlight.poll();
                headSince = System.nanoTime();
                if (span >= 0 && head.client.isActive()) {
                    head.relayed = true;
                    head.client.writeAndFlush(in.retainedSlice(span, end - span), head.client.voidPromise());
                    if (unflushed == head.client) {
                        unflushed = null;
                    }
                }
                span = -1;
                if (!head.abandoned) {
                    head.done.done(true, head.error, head.relayed);
                }
                if (poisoned || (retiring && !anyLive())) {
                    if (!poisoned && !inFlight.isEmpty()) {
                        // Only abandoned copies run there now: stop the one running rather than let it finish.
                        cancelRunning();
                    }
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
            }
        }
        relay(in, span, in.readerIndex());
    }

    /** Writes {@code in}'s bytes from {@code from} to {@code to} to the head unit's client. */
    private void relay(ByteBuf in, int from, int to) {
        Unit head = inFlight.peek();
        if (from < 0
                || to <= from
                || head == null
                || head.client == null
                || head.abandoned
                || !head.client.isActive()) {
            return;
        }
        head.relayed = true;
        head.client.write(in.retainedSlice(from, to - from), head.client.voidPromise());
        unflushed = head.client;
        if (head.overflow && head.client.bytesBeforeWritable() > headBytes) {
            LOG.warn("pgwire: a client read too slowly behind shared backend {}; closing it", address);
            head.client.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed != null) {
            unflushed.flush();
            unflushed = null;
        }
        if (closed) {
            return;
        }
        Unit head = inFlight.peek();
        if (head != null
                && head.client != null
                && !head.abandoned
                && head.client.isActive()
                && !head.client.isWritable()
                && !head.overflow) {
            stall(head);
            return;
        }
        ctx.read();
    }

    private void stall(Unit head) {
        stalled = true;
        backend.eventLoop()
                .schedule(
                        () -> {
                            if (stalled && inFlight.peek() == head) {
                                head.overflow = true;
                                stalled = false;
                                if (head.slow != null) {
                                    head.slow.run();
                                }
                                backend.read();
                            }
                        },
                        stallMillis,
                        TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropCarry();
        closed = true;
        // Units still waiting for a statement are refused through that statement's Parse unit, which ends here.
        for (Unit unit = inFlight.poll(); unit != null; unit = inFlight.poll()) {
            if (!unit.abandoned) {
                unit.done.done(false, unit.error, unit.relayed);
            }
        }
    }

    /** Checks, {@code queueMillis} after the head became the head, whether units still wait behind it. */
    private void watch() {
        if (watching || retiring || closed) {
            return;
        }
        watching = true;
        long due = headSince + TimeUnit.MILLISECONDS.toNanos(queueMillis) - System.nanoTime();
        backend.eventLoop().schedule(this::checkHead, Math.max(due, 0), TimeUnit.NANOSECONDS);
    }

    private void checkHead() {
        watching = false;
        if (retiring || closed || inFlight.size() < 2) {
            return;
        }
        if (System.nanoTime() - headSince < TimeUnit.MILLISECONDS.toNanos(queueMillis)) {
            watch();
            return;
        }
        retire();
    }

    /** Moves every unit behind the head off this link (see the class comment); the head is answered here still. */
    private void retire() {
        retiring = true;
        stats.sharedLinkRetired();
        LOG.debug(
                "pgwire: units waited {} ms behind a head on shared backend {}; moving them off", queueMillis, address);
        List<Unit> moved = new ArrayList<>(inFlight.size());
        Iterator<Unit> it = inFlight.iterator();
        it.next();
        while (it.hasNext()) {
            Unit unit = it.next();
            if (!unit.abandoned) {
                unit.abandoned = true;
                moved.add(unit);
            }
        }
        // Told after all are marked: a session may run its unit again at once, on another link.
        moved.forEach(unit -> unit.done.done(false, false, false));
    }

    /** Whether a unit in flight still has someone waiting for its answer. */
    private boolean anyLive() {
        for (Unit unit : inFlight) {
            if (!unit.abandoned) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("pgwire: shared backend link {} failed", address, cause);
        ctx.close();
    }

    /** Ends the connection: politely (Terminate) when nothing is in flight, else at once. */
    void close() {
        closed = true;
        if (inFlight.isEmpty() && backend.isActive()) {
            ByteBuf out = backend.alloc().buffer(5);
            FrontendFrames.terminate(out);
            backend.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            backend.close();
        }
    }
}
