package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idle raw backend connections that ended sessions left behind, kept for the next session instead of logging in
 * again. A connection goes back only after {@code DISCARD ALL} succeeded on it (prepared statements, settings,
 * temporary tables, advisory locks and LISTENs of the last session are gone), and comes out pointed at nothing,
 * so the next session's schema and settings are applied before its first statement.
 *
 * <p>A data source the proxy could not log in to is left alone for a while ({@link #refused}), so sessions do not
 * each try again on every statement; their statements take the engine path meanwhile, which reports the error.
 *
 * <p>Threading: a connection stays on the event loop it was opened on, so the pool keeps one shelf per event
 * loop and each shelf is only touched from its loop. Connections that die while idle are dropped when taken.
 */
final class PgLinkPool {

    private final int perShelf;
    private static final long RETRY_AFTER_NANOS = 30_000_000_000L;

    private final Map<EventLoop, Map<BackendAddress, ArrayDeque<PgBackendLink>>> shelves = new ConcurrentHashMap<>();
    private final Map<BackendAddress, Long> refusedAt = new ConcurrentHashMap<>();

    /** @param perShelf the most idle connections kept per event loop and data source */
    PgLinkPool(int perShelf) {
        this.perShelf = perShelf;
    }

    /** Whether a login to {@code address} failed less than 30 seconds ago. */
    boolean refused(BackendAddress address) {
        Long at = refusedAt.get(address);
        if (at == null) {
            return false;
        }
        if (System.nanoTime() - at > RETRY_AFTER_NANOS) {
            refusedAt.remove(address, at);
            return false;
        }
        return true;
    }

    /** Records a failed login to {@code address}. */
    void loginFailed(BackendAddress address) {
        refusedAt.put(address, System.nanoTime());
    }

    /** An idle connection to {@code address} on {@code client}'s event loop, now serving it; or {@code null}. */
    PgBackendLink take(BackendAddress address, Channel client) {
        ArrayDeque<PgBackendLink> shelf = shelf(client.eventLoop(), address);
        for (PgBackendLink link = shelf.poll(); link != null; link = shelf.poll()) {
            if (link.idle()) {
                link.serve(client);
                return link;
            }
            link.close();
        }
        return null;
    }

    /** Takes back a session's connection: resets it and shelves it, or closes it when it is busy or unwanted. */
    void give(PgBackendLink link, BackendAddress address, EventLoop loop) {
        if (!link.idle() || perShelf == 0) {
            link.close();
            return;
        }
        ByteBuf frames = link.alloc().buffer();
        FrontendFrames.query(frames, "DISCARD ALL");
        link.exchange(frames, false, List.of(), (intact, error, relayed) -> {
            ArrayDeque<PgBackendLink> shelf = shelf(loop, address);
            if (intact && !error && shelf.size() < perShelf) {
                link.discarded();
                shelf.add(link);
            } else {
                link.close();
            }
        });
    }

    private ArrayDeque<PgBackendLink> shelf(EventLoop loop, BackendAddress address) {
        return shelves.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(address, a -> new ArrayDeque<>());
    }
}
