package io.vshard.proxy.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport every server and backend client of the proxy uses: Linux's native epoll when its library
 * loads (fewer system calls and no selector garbage per relayed query), Java NIO otherwise. Event loop groups and
 * channel classes must come from the same transport, and a backend link shares its client's event loop, so the
 * choice is made once per process ({@link #selected()}). The system property {@value #PROPERTY} forces it:
 * {@code nio}, {@code epoll} (fails if epoll cannot load), {@code io_uring} (fails if io_uring cannot start) or
 * {@code auto} (the default: epoll, else NIO).
 */
public enum Transport {
    // Lambdas, not method references: the epoll classes initialise (and load the native library) only when used.
    /** Linux's native epoll transport. */
    EPOLL(
            () -> EpollIoHandler.newFactory(),
            EpollServerSocketChannel.class,
            EpollSocketChannel.class,
            EpollDomainSocketChannel.class,
            path -> new DomainSocketAddress(path)),
    /** Linux's io_uring transport (kernel 5.14 or later, where the kernel and any sandbox allow it). */
    IO_URING(
            () -> IoUringIoHandler.newFactory(),
            IoUringServerSocketChannel.class,
            IoUringSocketChannel.class,
            IoUringDomainSocketChannel.class,
            path -> new DomainSocketAddress(path)),
    /** The portable Java NIO transport. */
    NIO(
            () -> NioIoHandler.newFactory(),
            NioServerSocketChannel.class,
            NioSocketChannel.class,
            NioDomainSocketChannel.class,
            UnixDomainSocketAddress::of);

    /** The system property that forces a transport: {@code auto}, {@code nio}, {@code epoll} or {@code io_uring}. */
    public static final String PROPERTY = "vshard.transport";

    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    private final Supplier<IoHandlerFactory> ioHandlers;
    private final Class<? extends ServerSocketChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;
    private final Class<? extends Channel> domainSocketChannel;
    private final Function<String, SocketAddress> domainSocketAddress;

    Transport(
            Supplier<IoHandlerFactory> ioHandlers,
            Class<? extends ServerSocketChannel> serverChannel,
            Class<? extends SocketChannel> socketChannel,
            Class<? extends Channel> domainSocketChannel,
            Function<String, SocketAddress> domainSocketAddress) {
        this.ioHandlers = ioHandlers;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.domainSocketChannel = domainSocketChannel;
        this.domainSocketAddress = domainSocketAddress;
    }

    /** The process-wide transport, chosen (and logged) on first use from {@value #PROPERTY} and the platform. */
    public static Transport selected() {
        return Selection.TRANSPORT;
    }

    /** A new event loop group of {@code threads} loops (0: Netty's default, two per core) on this transport. */
    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlers.get());
    }

    /** The channel class of a listening socket on this transport. */
    public Class<? extends ServerSocketChannel> serverChannel() {
        return serverChannel;
    }

    /** The channel class of a connected (accepted or outgoing) socket on this transport. */
    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    /** The channel class of an outgoing Unix domain socket on this transport. */
    public Class<? extends Channel> domainSocketChannel() {
        return domainSocketChannel;
    }

    /** The address of the Unix domain socket at {@code path}, in the form this transport's channels take. */
    public SocketAddress domainSocketAddress(String path) {
        return domainSocketAddress.apply(path);
    }

    /**
     * Connects {@code bootstrap} (group and handler set) to a backend: over the Unix domain socket at
     * {@code socketPath} when one is given, else over TCP to {@code host}:{@code port} with Nagle's delay off (a
     * relay sends small frames it wants gone at once).
     */
    public ChannelFuture connect(Bootstrap bootstrap, String socketPath, String host, int port) {
        return socketPath != null
                ? bootstrap.channel(domainSocketChannel).connect(domainSocketAddress.apply(socketPath))
                : bootstrap
                        .channel(socketChannel)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .connect(host, port);
    }

    /**
     * The transport for a value of {@value #PROPERTY} ({@code null} meaning {@code auto}), given whether epoll
     * loaded and why not.
     *
     * @throws IllegalStateException for {@code epoll} when it is unavailable, or an unknown value
     */
    static Transport choose(String requested, boolean epollAvailable, Throwable epollCause) {
        String value = requested == null ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "nio":
                return NIO;
            case "epoll":
                if (!epollAvailable) {
                    throw new IllegalStateException(
                            "-D" + PROPERTY + "=epoll, but the native epoll transport is unavailable", epollCause);
                }
                return EPOLL;
            case "auto":
            case "":
                return epollAvailable ? EPOLL : NIO;
            case "io_uring":
                return IO_URING;
            default:
                throw new IllegalStateException(
                        "-D" + PROPERTY + "=" + requested + " is not one of auto, nio, epoll, io_uring");
        }
    }

    /** Holder idiom: the choice is made once, on first use, and never changes afterwards. */
    private static final class Selection {
        static final Transport TRANSPORT = select();

        private static Transport select() {
            String requested = System.getProperty(PROPERTY);
            boolean available = Epoll.isAvailable();
            Throwable cause = available ? null : Epoll.unavailabilityCause();
            Transport transport = choose(requested, available, cause);
            if (transport == IO_URING) {
                // Checked only when asked for: probing sets up a ring, which a sandbox may refuse or log about.
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException(
                            "-D" + PROPERTY + "=io_uring, but the io_uring transport is unavailable",
                            IoUring.unavailabilityCause());
                }
                LOG.info("Netty transport: io_uring (native)");
            } else if (transport == EPOLL) {
                LOG.info("Netty transport: epoll (native)");
            } else if (available) {
                LOG.info("Netty transport: nio (forced by -D{}={})", PROPERTY, requested);
            } else {
                LOG.info("Netty transport: nio (epoll unavailable: {})", String.valueOf(cause));
            }
            return transport;
        }
    }
}
