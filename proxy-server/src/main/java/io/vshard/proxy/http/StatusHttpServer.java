package io.vshard.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.vshard.proxy.net.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The proxy's HTTP side: {@code GET /metrics} (Prometheus text format from a supplier) and {@code GET /health}
 * (200 when the supplier says healthy, else 503), and optionally the dashboard's routes. The suppliers must be cheap and non-blocking: they run on the
 * event loop. Thread-safe.
 */
public final class StatusHttpServer implements AutoCloseable {

    private final Supplier<String> metrics;
    private final BooleanSupplier healthy;
    private final DashboardHandler dashboard;
    private EventLoopGroup group;
    private Channel channel;

    /** Creates a stopped server. */
    public StatusHttpServer(Supplier<String> metrics, BooleanSupplier healthy) {
        this(metrics, healthy, null);
    }

    /** Creates a stopped server that also serves {@code dashboard}'s routes ({@code null} for none). */
    public StatusHttpServer(Supplier<String> metrics, BooleanSupplier healthy, DashboardHandler dashboard) {
        this.metrics = metrics;
        this.healthy = healthy;
        this.dashboard = dashboard;
    }

    /** Binds to {@code port} on all interfaces (0 picks a free one) and returns the bound port. */
    public synchronized int start(int port) throws InterruptedException {
        group = Transport.selected().newGroup(1);
        channel = new ServerBootstrap()
                .group(group)
                .channel(Transport.selected().serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(8192))
                                .addLast(new Responder());
                    }
                })
                .bind(port)
                .sync()
                .channel();
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .syncUninterruptibly();
            channel = null;
        }
    }

    /** Answers one request and closes the connection (scrapers open one per scrape). */
    private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri().split("\\?", 2)[0];
            FullHttpResponse response;
            if (request.method() != HttpMethod.GET) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", "text/plain");
            } else if (path.equals("/metrics")) {
                response = text(HttpResponseStatus.OK, metrics.get(), "text/plain; version=0.0.4; charset=utf-8");
            } else if (path.equals("/health")) {
                boolean up = healthy.getAsBoolean();
                response = text(
                        up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        up ? "{\"status\":\"UP\"}\n" : "{\"status\":\"DOWN\"}\n",
                        "application/json");
            } else {
                DashboardHandler.Answer a = dashboard == null ? null : dashboard.answer(path);
                if (a == null) {
                    response = text(HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain");
                } else {
                    response = new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            HttpResponseStatus.valueOf(a.status()),
                            Unpooled.wrappedBuffer(a.body()));
                    response.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
                    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, a.body().length);
                }
            }
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            response.headers()
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            return response;
        }
    }
}
