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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link BackendLink}s of each event loop, per data source and result-format flags (relayed bytes must be in
 * the form the client negotiated). Links are shared: every relayed read of a loop's clients goes to the link of
 * its key with the fewest commands in flight, pipelined behind them, and a new link opens only while all are busy
 * and there are fewer than {@code -Dvshard.mysql.linksPerSource}. So a few backend connections (hence backend threads and
 * wake-ups) serve many clients. Thread safe through confinement: each loop touches only its own map.
 */
final class BackendLinks implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private record Key(String dataSource, int capabilities) {}

    private final Map<EventLoop, Map<Key, List<BackendLink>>> links = new ConcurrentHashMap<>();
    private final RelayCounts counts;
    /**
     * Links per event loop and data source ({@code -Dvshard.mysql.linksPerSource}, default 2): more spread the reads
     * over more backend threads, fewer batch more of them per send and per backend wake-up.
     */
    private final int linksPerSource = Math.max(1, Integer.getInteger("vshard.mysql.linksPerSource", 2));
    /**
     * How many bytes of one response a link buffers for a client that reads slower than the backend sends while
     * other clients' commands wait behind it ({@code -Dvshard.mysql.slowClientBufferBytes}, default 16 MiB).
     */
    private final long slowClientBufferBytes = Long.getLong("vshard.mysql.slowClientBufferBytes", 16L * 1024 * 1024);
    /**
     * How long a client may hold a link still (it reads nothing and its buffer is full) while other clients'
     * commands wait behind it, before the proxy closes that client's connection ({@code
     * -Dvshard.mysql.slowClientMillis}, default 2000).
     */
    private final long slowClientMillis = Long.getLong("vshard.mysql.slowClientMillis", 2_000);

    private final ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile boolean closed;

    BackendLinks(RelayCounts counts) {
        this.counts = counts;
    }

    /**
     * The link on {@code loop} (called on it) to send a read to: the least busy open one, one still logging in
     * when no link is open, or a new one while every link is busy and there is room.
     */
    Future<BackendLink> acquire(EventLoop loop, BackendAddress address, int clientCapabilities) {
        int capabilities = BackendLogin.BASE_CAPABILITIES | (clientCapabilities & BackendLogin.RESULT_FORMAT);
        List<BackendLink> mine = links.computeIfAbsent(loop, l -> new HashMap<>())
                .computeIfAbsent(new Key(address.name(), capabilities), k -> new ArrayList<>());
        BackendLink best = null;
        BackendLink connecting = null;
        // A link held still by a client that reads slowly takes no more commands, and does not count against
        // the limit: a read sent there would wait for that client.
        int open = 0;
        for (Iterator<BackendLink> it = mine.iterator(); it.hasNext(); ) {
            BackendLink link = it.next();
            if (link.usable()) {
                if (link.stalled()) {
                    continue;
                }
                open++;
                if (best == null || link.inFlight() < best.inFlight()) {
                    best = link;
                }
            } else if (link.connecting()) {
                open++;
                connecting = link;
            } else {
                it.remove();
                if (link.channel() != null) {
                    link.channel().close();
                }
            }
        }
        if (best != null && (best.inFlight() == 0 || open >= linksPerSource || connecting != null)) {
            return loop.newSucceededFuture(best);
        }
        if (best == null && connecting != null) {
            return connecting.ready();
        }
        Promise<BackendLink> ready = loop.newPromise();
        if (closed) {
            return ready.setFailure(new IllegalStateException("the proxy is closing"));
        }
        BackendLink fresh =
                new BackendLink(address, capabilities, ready, counts, slowClientBufferBytes, slowClientMillis);
        mine.add(fresh);
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
        ChannelFuture connected = transport.connect(bootstrap, address.socket(), address.host(), address.port());
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                fresh.fail(f.cause());
            }
        });
        return ready;
    }

    /** Closes every link. */
    @Override
    public void close() {
        closed = true;
        all.close().awaitUninterruptibly();
    }
}
