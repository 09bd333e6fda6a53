package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the {@link PgFrontendDecoder} in the query phase: a socket read that holds exactly one unit the
 * direct path can send on unchanged (a simple Query, or Bind [Describe] Execute Sync of a statement the session
 * knows) goes to {@link PgQueryHandler#takeRaw} as the client's bytes, neither decoded into messages nor encoded
 * again for the backend. Every other read goes on to the decoder, as does any read while the decoder holds part
 * of a frame. Runs on the channel's event loop.
 */
final class PgRawLane extends ChannelInboundHandlerAdapter {

    private final PgFrontendDecoder decoder;
    private final PgQueryHandler query;

    PgRawLane(PgFrontendDecoder decoder, PgQueryHandler query) {
        this.decoder = decoder;
        this.query = query;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf in && in.readableBytes() >= 5 && decoder.betweenFrames() && query.takeRaw(in)) {
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
