package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * What the raw backend links ({@link PgBackendLink}, {@link PgSharedLink}) share: each socket read is handed on as
 * one buffer of backend frames, with the start of a frame that the last read cut off put in front of it. The
 * subclass walks the whole frames in {@link #frames}, leaving a partial one unread; those bytes are kept for the
 * next read while the link {@link #keepsReading}, else released.
 *
 * <p>Threading: the backend channel's event loop, like every handler method.
 */
abstract class BackendFrameReader extends ChannelInboundHandlerAdapter {

    /** The start of a frame not yet whole, kept from the last read. */
    private ByteBuf carry;

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (carry != null) {
            in = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), carry, in);
            carry = null;
        }
        try {
            frames(ctx, in);
        } finally {
            if (in.isReadable() && keepsReading()) {
                carry = in;
            } else {
                in.release();
            }
        }
    }

    /** Handles every whole frame in {@code in} (not retained beyond the call), leaving a partial one unread. */
    abstract void frames(ChannelHandlerContext ctx, ByteBuf in);

    /** Whether the link reads on, so a partial frame is worth keeping. */
    abstract boolean keepsReading();

    /** Whether part of a frame waits for the rest. */
    final boolean carrying() {
        return carry != null;
    }

    /** Releases a kept partial frame (the channel closed). */
    final void dropCarry() {
        if (carry != null) {
            carry.release();
            carry = null;
        }
    }
}
