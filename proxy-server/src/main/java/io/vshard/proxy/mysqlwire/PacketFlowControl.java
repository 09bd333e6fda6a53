package io.vshard.proxy.mysqlwire;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Hands the handler above it exactly one packet per {@code read()}: packets the decoder produced from one
 * socket read beyond that wait here, and a {@code read()} with nothing queued is remembered until a packet
 * arrives (however many socket reads that takes). Netty's FlowControlHandler forgets a pending read at
 * read-complete, which stalls a packet that spans several socket reads.
 *
 * <p>The channel reads on its own (auto-read) while fewer than {@link #HIGH_WATER} packets wait, so a client
 * that sends one command at a time never makes the socket's read interest flip twice per command (two
 * syscalls); a client that floods the proxy stops being read until the queue drained to {@link #LOW_WATER}.
 * Event loop only.
 */
final class PacketFlowControl extends ChannelDuplexHandler {
    static final int HIGH_WATER = 16;
    static final int LOW_WATER = 2;

    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean demand;

    @Override
    public void read(ChannelHandlerContext ctx) {
        Object next = queue.poll();
        if (next != null) {
            if (queue.size() <= LOW_WATER && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelRead(next);
            return;
        }
        demand = true;
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (demand && queue.isEmpty()) {
            demand = false;
            ctx.fireChannelRead(msg);
        } else {
            queue.add(msg);
            if (queue.size() >= HIGH_WATER) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueued();
    }

    private void releaseQueued() {
        Object msg;
        while ((msg = queue.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
