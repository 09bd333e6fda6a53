package io.vshard.proxy.pgwire;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vshard.proxy.net.EventLoops;
import io.vshard.proxy.net.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL wire-protocol front end: accepts clients on a port, authenticates them from the config and
 * runs their statements through JDBC connections from a {@link BackendConnector}.
 *
 * <p>Netty event loops only decode, encode and schedule; all JDBC work runs on a bounded worker pool, and a
 * session that cannot get a worker is refused with SQLSTATE 53000 instead of queueing without limit.
 * {@link #close()} stops accepting, waits up to the configured drain timeout for running statements, then closes
 * every connection. Thread-safe.
 */
public final class PgProxyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgProxyServer.class);

    /** What every connection of one server shares. */
    record Shared(
            PgProxyConfig config,
            SslContext tls,
            BackendConnector connector,
            ExecutorService workers,
            CancelRegistry cancels,
            AtomicInteger inFlight,
            PgWireStats stats,
            PgLinkPool links,
            PgSharedLinks sharedLinks,
            ChannelGroup backends) {

        /** Closes a JDBC resource on a worker (closing may block on the network). */
        void closeLater(AutoCloseable resource) {
            Runnable close = () -> {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.debug("pgwire: closing a backend resource failed", e);
                }
            };
            try {
                workers.execute(close);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                new Thread(close, "vshard-pg-close").start();
            }
        }
    }

    /** The system property that sets the number of client event loops. */
    static final String EVENT_LOOPS_PROPERTY = "vshard.pg.eventLoops";

    /** Idle raw backend connections kept per event loop and data source for the next session. */
    private static final int IDLE_LINKS_PER_LOOP = 8;

    private final Shared shared;
    private final PgBackendEncoder encoder = new PgBackendEncoder();
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;

    /** Creates a stopped server; call {@link #start(int)}. */
    public PgProxyServer(PgProxyConfig config, BackendConnector connector) {
        ThreadPoolExecutor workers = new ThreadPoolExecutor(
                config.workerThreads(),
                config.workerThreads(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.workerQueue()),
                new DefaultThreadFactory("vshard-pg-worker", true));
        workers.allowCoreThreadTimeOut(true);
        PgWireStats stats = new PgWireStats();
        ChannelGroup backends = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        this.shared = new Shared(
                config,
                tls(config),
                connector,
                workers,
                new CancelRegistry(),
                new AtomicInteger(),
                stats,
                new PgLinkPool(IDLE_LINKS_PER_LOOP),
                config.multiplexing() ? new PgSharedLinks(stats, backends, workers) : null,
                backends);
    }

    private static SslContext tls(PgProxyConfig config) {
        if (config.tlsCertificate() == null) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(
                            config.tlsCertificate().toFile(),
                            config.tlsPrivateKey().toFile())
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot load the TLS certificate or key: " + e.getMessage(), e);
        }
    }

    /** Binds to all interfaces on {@code port} (0 picks a free one); returns the bound port. */
    public synchronized int start(int port) throws InterruptedException {
        return start(new InetSocketAddress(port));
    }

    /** Binds to {@code address}; returns the bound port. */
    public synchronized int start(InetSocketAddress address) throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        bossGroup = Transport.selected().newGroup(1);
        workerGroup = Transport.selected().newGroup(EventLoops.count(EVENT_LOOPS_PROPERTY));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Transport.selected().serverChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        shared.stats().connectionAccepted();
                        // Reader idle: "no client message for this long". Watching writes too would put a promise
                        // and a listener on every write of a relayed answer.
                        long idle = shared.config().idleTimeout().toMillis();
                        if (idle > 0) {
                            ch.pipeline().addLast("idle", new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
                        }
                        ch.pipeline()
                                .addLast(
                                        "pg-decoder",
                                        new PgFrontendDecoder(shared.config().maxMessageSize()));
                        ch.pipeline().addLast("pg-encoder", encoder);
                        ch.pipeline().addLast("pg-startup", new PgStartupHandler(shared));
                    }
                });
        serverChannel = bootstrap.bind(address).sync().channel();
        int bound = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        LOG.info("pgwire: listening on port {}", bound);
        return bound;
    }

    /** The bound port, or -1 when not started. */
    public synchronized int port() {
        return serverChannel == null ? -1 : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Client connections currently open (authenticated or not). */
    public int connections() {
        return channels.size();
    }

    /** Statement batches running right now. */
    public int inFlight() {
        return shared.inFlight().get();
    }

    /** The server's counters. */
    public PgWireStats stats() {
        return shared.stats();
    }

    /** All counters and gauges in the Prometheus text format, for an HTTP {@code /metrics} endpoint. */
    public String metrics() {
        StringBuilder out = new StringBuilder(2048);
        shared.stats().writePrometheus(out, connections(), inFlight());
        return out.toString();
    }

    /** Whether the server is accepting clients. */
    public synchronized boolean healthy() {
        return serverChannel != null && serverChannel.isActive();
    }

    /** Stops accepting, waits up to the drain timeout for running statements, then closes all connections. */
    @Override
    public synchronized void close() {
        if (serverChannel == null) {
            shared.workers().shutdownNow();
            return;
        }
        serverChannel.close().syncUninterruptibly();
        long deadline = System.nanoTime() + shared.config().drainTimeout().toNanos();
        while (shared.inFlight().get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (shared.sharedLinks() != null) {
            shared.sharedLinks().close();
        }
        // Raw backend connections (direct path, pooled, shared) are not closed by stopping their event loops.
        shared.backends().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        shared.workers().shutdown();
        try {
            if (!shared.workers().awaitTermination(5, TimeUnit.SECONDS)) {
                shared.workers().shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serverChannel = null;
        LOG.info("pgwire: stopped");
    }
}
