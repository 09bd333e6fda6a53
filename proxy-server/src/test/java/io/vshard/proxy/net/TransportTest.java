package io.vshard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {
    private static final IllegalStateException NO_EPOLL = new IllegalStateException("no native library");

    @Test
    void autoPrefersEpollWhenItLoads() {
        assertThat(Transport.choose(null, true, null)).isEqualTo(Transport.EPOLL);
        assertThat(Transport.choose("auto", true, null)).isEqualTo(Transport.EPOLL);
        assertThat(Transport.choose(null, false, NO_EPOLL)).isEqualTo(Transport.NIO);
        assertThat(Transport.choose(" AUTO ", false, NO_EPOLL)).isEqualTo(Transport.NIO);
    }

    @Test
    void nioCanBeForcedEvenWhereEpollLoads() {
        assertThat(Transport.choose("nio", true, null)).isEqualTo(Transport.NIO);
        assertThat(Transport.choose("NIO", false, NO_EPOLL)).isEqualTo(Transport.NIO);
    }

    @Test
    void forcedEpollFailsLoudlyWhenItCannotLoad() {
        assertThat(Transport.choose("epoll", true, null)).isEqualTo(Transport.EPOLL);
        assertThatThrownBy(() -> Transport.choose("epoll", false, NO_EPOLL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("vshard.transport=epoll")
                .hasCause(NO_EPOLL);
    }

    @Test
    void unknownValueNamesTheProperty() {
        assertThatThrownBy(() -> Transport.choose("kqueue", true, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("vshard.transport=kqueue")
                .hasMessageContaining("auto, nio, epoll, io_uring");
    }

    @Test
    void ioUringIsChosenOnlyWhenAskedFor() {
        assertThat(Transport.choose("io_uring", true, null)).isEqualTo(Transport.IO_URING);
        assertThat(Transport.choose(" IO_URING ", false, NO_EPOLL)).isEqualTo(Transport.IO_URING);
        assertThat(Transport.choose("auto", true, null)).isNotEqualTo(Transport.IO_URING);
    }

    @Test
    void selectedFollowsThePlatformUnlessForced() {
        String forced = System.getProperty(Transport.PROPERTY);
        Transport expected = "io_uring".equalsIgnoreCase(forced)
                ? Transport.IO_URING
                : "nio".equalsIgnoreCase(forced) || !Epoll.isAvailable() ? Transport.NIO : Transport.EPOLL;
        assertThat(Transport.selected()).isEqualTo(expected);
    }

    /** Each transport that loads here carries bytes both ways between its server and client channels. */
    @Test
    void groupsAndChannelClassesOfEachTransportWorkTogether() throws Exception {
        assertEchoes(Transport.NIO);
        if (Epoll.isAvailable()) {
            assertEchoes(Transport.EPOLL);
        }
        if (IoUring.isAvailable()) {
            assertEchoes(Transport.IO_URING);
        }
    }

    private static void assertEchoes(Transport transport) throws Exception {
        EventLoopGroup group = transport.newGroup(1);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .sync()
                    .channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = new Bootstrap()
                    .group(group)
                    .channel(transport.socketChannel())
                    .handler(new ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                    echoed.complete(msg.toString(StandardCharsets.UTF_8));
                                }
                            });
                        }
                    })
                    .connect(server.localAddress())
                    .sync()
                    .channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping " + transport, StandardCharsets.UTF_8));
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping " + transport);
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Each transport's Unix domain socket channel connects to a socket path and reads what the server sent. */
    @Test
    void domainSocketChannelsOfEachTransportConnectToAPath() throws Exception {
        assertReadsFromUnixSocket(Transport.NIO);
        if (Epoll.isAvailable()) {
            assertReadsFromUnixSocket(Transport.EPOLL);
        }
        if (IoUring.isAvailable()) {
            assertReadsFromUnixSocket(Transport.IO_URING);
        }
    }

    private static void assertReadsFromUnixSocket(Transport transport) throws Exception {
        Path dir = Files.createTempDirectory("vshard-transport");
        Path path = dir.resolve("s.sock");
        EventLoopGroup group = transport.newGroup(1);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<String> read = new CompletableFuture<>();
            Channel client = new Bootstrap()
                    .group(group)
                    .channel(transport.domainSocketChannel())
                    .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            read.complete(msg.toString(StandardCharsets.UTF_8));
                        }
                    })
                    .connect(transport.domainSocketAddress(path.toString()))
                    .sync()
                    .channel();
            try (SocketChannel accepted = server.accept()) {
                accepted.write(ByteBuffer.wrap(("hello " + transport).getBytes(StandardCharsets.UTF_8)));
                assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo("hello " + transport);
            }
            client.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }
}
