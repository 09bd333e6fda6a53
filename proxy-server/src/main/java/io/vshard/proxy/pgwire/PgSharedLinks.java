package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PgSharedLink}s of each event loop: up to {@link #LINKS_PROPERTY} per data source and session state
 * (schema and settings), shared by every client of the loop whose session matches. A unit goes to the matching
 * link with the fewest units in flight; another link is opened in the background while every one is busy and
 * there is room. Until a first link is ready (or when none can be opened) the callers' sessions use their own links.
 *
 * <p>Threading: each loop touches only its own maps, from its own thread.
 */
final class PgSharedLinks {

    private static final Logger LOG = LoggerFactory.getLogger(PgSharedLinks.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    /**
     * Shared links per event loop, data source and session state ({@code -Dvshard.pg.linksPerSource}, default 1):
     * more spread the units over more backend processes, fewer batch more of them per send and backend wake-up (one
     * measured best on 2 cores, BENCHMARKS.md; a long unit moves the others to a fresh link in any case).
     */
    static final String LINKS_PROPERTY = "vshard.pg.linksPerSource";

    /**
     * How long a client that cannot take its answer may hold up a shared link before the link reads on regardless
     * ({@code -Dvshard.pg.multiplexStallMillis}, default 200).
     */
    static final String STALL_PROPERTY = "vshard.pg.multiplexStallMillis";

    /**
     * How long a unit may wait behind the head of a shared link before the units queued there are moved to another
     * link ({@code -Dvshard.pg.multiplexQueueMillis}, default 100): bounds what a long statement costs the others.
     */
    static final String QUEUE_PROPERTY = "vshard.pg.multiplexQueueMillis";

    /** Unflushed bytes past which a client that held up a shared link is disconnected (default 64 MiB). */
    static final String HEAD_BYTES_PROPERTY = "vshard.pg.multiplexHeadBytes";

    private record Key(BackendAddress address, PgBackendLink.SessionState state) {}

    private final Map<EventLoop, Map<Key, List<PgSharedLink>>> links = new ConcurrentHashMap<>();
    private final Map<EventLoop, Set<Key>> opening = new ConcurrentHashMap<>();
    private final PgWireStats stats;
    private final ChannelGroup all;
    private final Executor blocking;
    private final int linksPerSource = Math.max(1, Integer.getInteger(LINKS_PROPERTY, 1));
    private final long stallMillis = Long.getLong(STALL_PROPERTY, 200);
    private final long headBytes = Long.getLong(HEAD_BYTES_PROPERTY, 64L << 20);
    private final long queueMillis = Math.max(1, Long.getLong(QUEUE_PROPERTY, 100));
    private volatile boolean closed;

    /**
     * Reads its settings from the system properties now.
     *
     * @param all the server's backend channels, which new links join
     * @param blocking where cancel requests are sent from (a blocking connect)
     */
    PgSharedLinks(PgWireStats stats, ChannelGroup all, Executor blocking) {
        this.stats = stats;
        this.all = all;
        this.blocking = blocking;
    }

    /**
     * The shared link for {@code address} and {@code state} on {@code client}'s event loop (called on it) with the
     * fewest units in flight among those taking units now, or {@code null}; opens another link for later while
     * every link is busy (or there is none) and there is room.
     */
    PgSharedLink link(BackendAddress address, PgBackendLink.SessionState state, Channel client) {
        EventLoop loop = client.eventLoop();
        Key key = new Key(address, state);
        List<PgSharedLink> mine =
                links.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(key, k -> new ArrayList<>(2));
        mine.removeIf(PgSharedLink::closed);
        PgSharedLink best = null;
        int working = 0;
        for (PgSharedLink link : mine) {
            if (link.accepting() && (best == null || link.inFlight() < best.inFlight())) {
                best = link;
            }
            if (!link.retiring()) {
                working++;
            }
        }
        // A retiring link closes by itself once its long head is answered: a fresh one takes its place now.
        if ((best == null || best.inFlight() > 0) && working < linksPerSource && !closed) {
            Set<Key> pending = opening.computeIfAbsent(loop, l -> new HashSet<>());
            if (pending.add(key)) {
                open(key, client, mine, pending);
            }
        }
        return best;
    }

    private void open(Key key, Channel client, List<PgSharedLink> mine, Set<Key> pending) {
        PgBackendLink[] opened = new PgBackendLink[1];
        opened[0] = PgBackendLink.open(key.address(), client, all, CONNECT_TIMEOUT_MILLIS, why -> {
            if (why != null || closed) {
                pending.remove(key);
                if (why != null) {
                    LOG.debug("pgwire: no shared link to {}: {}", key.address(), why);
                } else {
                    opened[0].close();
                }
                return;
            }
            PgBackendLink link = opened[0];
            ByteBuf frames = link.alloc().buffer();
            FrontendFrames.query(frames, key.state().pointingSql());
            link.exchange(frames, false, List.of(), (intact, error, relayed) -> {
                pending.remove(key);
                if (intact && !error && !closed) {
                    mine.add(new PgSharedLink(
                            link, key.address(), stallMillis, headBytes, queueMillis, stats, blocking));
                } else {
                    LOG.debug(
                            "pgwire: could not point a shared link to {} at schema {}",
                            key.address(),
                            key.state().schema());
                    link.close();
                }
            });
        });
    }

    /** Closes every shared link (the server stops); called from any thread. */
    void close() {
        closed = true;
        links.forEach((loop, mine) -> {
            try {
                loop.execute(() -> {
                    mine.values().forEach(list -> list.forEach(PgSharedLink::close));
                    mine.clear();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The loop is shutting down already and closes its channels itself.
            }
        });
    }
}
