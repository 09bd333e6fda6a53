package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Frames a {@link MySqlPacket} into physical packets, splitting payloads of 16 MiB - 1 bytes or more and
 * numbering the parts from the packet's sequence id. Stateless, hence shareable.
 */
@ChannelHandler.Sharable
final class PacketEncoder extends MessageToMessageEncoder<MySqlPacket> {
    static final PacketEncoder INSTANCE = new PacketEncoder();

    private PacketEncoder() {
        super(MySqlPacket.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MySqlPacket msg, List<Object> out) {
        ByteBuf payload = msg.content();
        int sequence = msg.sequenceId();
        int remaining = payload.readableBytes();
        while (true) {
            int part = Math.min(remaining, MySqlPacket.MAX_PART);
            ByteBuf header = ctx.alloc().buffer(4);
            header.writeMediumLE(part);
            header.writeByte(sequence & 0xFF);
            out.add(header);
            if (part > 0) {
                out.add(payload.readRetainedSlice(part));
            }
            remaining -= part;
            sequence++;
            if (part < MySqlPacket.MAX_PART) {
                return;
            }
        }
    }
}
