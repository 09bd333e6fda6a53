package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PgSharedLink}s of each event loop: one per data source and session state (schema and settings), so
 * every client of a loop whose session matches shares it. A link is opened in the background the first time a key
 * is asked for; until it is ready (or when it cannot be opened) the caller's sessions use their own links.
 *
 * <p>Threading: each loop touches only its own maps, from its own thread.
 */
final class PgSharedLinks {

    private static final Logger LOG = LoggerFactory.getLogger(PgSharedLinks.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    /**
     * How long a client that cannot take its answer may hold up a shared link before the link reads on regardless
     * ({@code -Dvshard.pg.multiplexStallMillis}).
     */
    static final long STALL_MILLIS = Long.getLong("vshard.pg.multiplexStallMillis", 200);

    /** Unflushed bytes past which a client that held up a shared link is disconnected. */
    static final long HEAD_BYTES = Long.getLong("vshard.pg.multiplexHeadBytes", 64L << 20);

    private record Key(BackendAddress address, PgBackendLink.SessionState state) {}

    private final Map<EventLoop, Map<Key, PgSharedLink>> links = new ConcurrentHashMap<>();
    private final Map<EventLoop, Set<Key>> opening = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * The shared link for {@code address} and {@code state} on {@code client}'s event loop (called on it) when it
     * takes units now; else {@code null}, and a link is opened for later when there is none.
     */
    PgSharedLink link(BackendAddress address, PgBackendLink.SessionState state, Channel client) {
        EventLoop loop = client.eventLoop();
        Map<Key, PgSharedLink> mine = links.computeIfAbsent(loop, l -> new HashMap<>());
        Key key = new Key(address, state);
        PgSharedLink link = mine.get(key);
        if (link != null && link.closed()) {
            mine.remove(key);
            link = null;
        }
        if (link != null) {
            return link.accepting() ? link : null;
        }
        Set<Key> pending = opening.computeIfAbsent(loop, l -> new HashSet<>());
        if (!closed && pending.add(key)) {
            open(key, client, mine, pending);
        }
        return null;
    }

    private void open(Key key, Channel client, Map<Key, PgSharedLink> mine, Set<Key> pending) {
        PgBackendLink[] opened = new PgBackendLink[1];
        opened[0] = PgBackendLink.open(key.address(), client, CONNECT_TIMEOUT_MILLIS, why -> {
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
                    mine.put(key, new PgSharedLink(link, key.address(), STALL_MILLIS, HEAD_BYTES));
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
                    mine.values().forEach(PgSharedLink::close);
                    mine.clear();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The loop is shutting down already and closes its channels itself.
            }
        });
    }
}
