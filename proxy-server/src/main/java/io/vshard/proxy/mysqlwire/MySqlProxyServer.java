package io.vshard.proxy.mysqlwire;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vshard.proxy.net.EventLoops;
import io.vshard.proxy.net.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MySQL wire-protocol front end: a Netty server whose sessions each run over one backend JDBC
 * connection from the configured {@link BackendConnector}. Event loops only move bytes; JDBC work runs on
 * a bounded executor of {@link MySqlProxyConfig#jdbcThreads()} threads. Over an {@link EngineBackend},
 * single-shard reads are relayed to the MySQL shard at the packet level ({@link MySqlProxyConfig#relayReads()}).
 * Start once, close once.
 */
public final class MySqlProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlProxyServer.class);

    private final MySqlProxyConfig config;
    private final ServerResources resources;
    private final EventLoopGroup bossGroup = Transport.selected().newGroup(1);
    /** The system property that sets the number of client event loops. */
    static final String EVENT_LOOPS_PROPERTY = "vshard.mysql.eventLoops";

    private final EventLoopGroup workerGroup = Transport.selected().newGroup(EventLoops.count(EVENT_LOOPS_PROPERTY));
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    /** Creates a server; nothing listens until {@link #start(int)}. */
    public MySqlProxyServer(MySqlProxyConfig config) {
        this.config = config;
        AtomicInteger threadIds = new AtomicInteger();
        ExecutorService executor = new ThreadPoolExecutor(
                config.jdbcThreads(),
                config.jdbcThreads(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.jdbcQueue()),
                r -> {
                    Thread t = new Thread(r, "vshard-mysql-jdbc-" + threadIds.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        RelayCounts counts = new RelayCounts();
        this.resources = new ServerResources(
                config,
                executor,
                RsaPasswordKeys.generate(),
                ConcurrentHashMap.newKeySet(),
                new AtomicInteger(),
                new BackendLinks(counts),
                counts);
    }

    /** Listens on all interfaces at the port (0 picks a free one) and returns the bound port. */
    public synchronized int start(int port) throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Transport.selected().serverChannel())
                .childOption(ChannelOption.AUTO_READ, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clients.add(ch);
                        ch.pipeline()
                                .addLast(
                                        "idle",
                                        // Idle means no command from the client (reads only: watching writes would
                                        // add a listener to every relayed response); a busy session ignores it.
                                        new IdleStateHandler(
                                                config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("decoder", new PacketDecoder(config.maxPacketSize()))
                                .addLast("encoder", PacketEncoder.INSTANCE)
                                .addLast("flow", new PacketFlowControl())
                                .addLast("auth", new AuthenticationHandler(resources, new WritabilityGate()));
                    }
                });
        serverChannel = bootstrap.bind(port).sync().channel();
        int bound = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        LOG.info("MySQL front end listening on port {}", bound);
        return bound;
    }

    /** What the server relayed to shards so far. */
    public RelayCounts relayCounts() {
        return resources.relayCounts();
    }

    /** The bound port, or -1 before {@link #start(int)}. */
    public synchronized int port() {
        return serverChannel == null ? -1 : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops listening, disconnects every client, and closes their backend connections. */
    @Override
    public synchronized void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        clients.close().awaitUninterruptibly();
        resources.links().close();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        resources.jdbcExecutor().shutdown();
        try {
            resources.jdbcExecutor().awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
