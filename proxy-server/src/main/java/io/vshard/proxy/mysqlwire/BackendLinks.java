package io.vshard.proxy.mysqlwire;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.vshard.proxy.net.Transport;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idle {@link BackendLink}s, kept per event loop (a link serves only clients of its own loop, so taking and
 * returning one needs no lock) and per data source and result-format flags (relayed bytes must be in the form
 * the client negotiated). A client session holds at most one link at a time, so there are never more links
 * than sessions relaying at once; at most {@link #MAX_IDLE} stay idle per pool. Thread safe through
 * confinement: each loop touches only its own map.
 */
final class BackendLinks implements AutoCloseable {
    static final int MAX_IDLE = 64;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private record Key(String dataSource, int capabilities) {}

    private final Map<EventLoop, Map<Key, ArrayDeque<BackendLink>>> idle = new ConcurrentHashMap<>();
    private final ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile boolean closed;

    /** A ready link on {@code loop} (called on it): an idle one, or a new one once it logged in. */
    Future<BackendLink> acquire(EventLoop loop, BackendAddress address, int clientCapabilities) {
        int capabilities = BackendLogin.BASE_CAPABILITIES | (clientCapabilities & BackendLogin.RESULT_FORMAT);
        ArrayDeque<BackendLink> free = pool(loop, new Key(address.name(), capabilities));
        BackendLink link;
        while ((link = free.pollLast()) != null) {
            if (link.usable()) {
                return loop.newSucceededFuture(link);
            }
            link.channel().close();
        }
        Promise<BackendLink> ready = loop.newPromise();
        if (closed) {
            return ready.setFailure(new IllegalStateException("the proxy is closing"));
        }
        BackendLink fresh = new BackendLink(address, capabilities, ready);
        Transport transport = Transport.selected();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        all.add(ch);
                        ch.pipeline().addLast(fresh);
                    }
                });
        ChannelFuture connected = address.socket() != null
                ? bootstrap
                        .channel(transport.domainSocketChannel())
                        .connect(transport.domainSocketAddress(address.socket()))
                : bootstrap
                        .channel(transport.socketChannel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .connect(address.host(), address.port());
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
            }
        });
        return ready;
    }

    /** Returns a link after its exchange (on its loop); a broken one, or one too many, is closed. */
    void release(BackendLink link) {
        if (!link.usable() || closed) {
            if (link.channel() != null) {
                link.channel().close();
            }
            return;
        }
        EventLoop loop = link.channel().eventLoop();
        ArrayDeque<BackendLink> free = pool(loop, new Key(link.address().name(), link.capabilities()));
        if (free.size() >= MAX_IDLE) {
            link.channel().close();
        } else {
            free.addLast(link);
        }
    }

    private ArrayDeque<BackendLink> pool(EventLoop loop, Key key) {
        return idle.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(key, k -> new ArrayDeque<>());
    }

    /** Closes every link. */
    @Override
    public void close() {
        closed = true;
        all.close().awaitUninterruptibly();
    }
}
