package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into {@link MySqlPacket}s: a 3-byte little-endian length, a sequence id, the
 * payload; a part of exactly 16 MiB - 1 bytes is continued by the next part. An explicit two-state
 * machine; a logical packet over the maximum size fails with {@link TooLongFrameException} and the
 * decoder drops everything it held, so it never hands on a half packet.
 */
final class PacketDecoder extends ByteToMessageDecoder {
    private enum State {
        HEADER,
        PAYLOAD
    }

    private final int maxPacketSize;
    private State state = State.HEADER;
    private int partLength;
    private int sequenceId;
    private CompositeByteBuf joined;

    PacketDecoder(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (true) {
                if (state == State.HEADER) {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    partLength = in.readUnsignedMediumLE();
                    sequenceId = in.readUnsignedByte();
                    int soFar = joined == null ? 0 : joined.readableBytes();
                    if ((long) soFar + partLength > maxPacketSize) {
                        throw new TooLongFrameException("packet longer than " + maxPacketSize + " bytes");
                    }
                    state = State.PAYLOAD;
                }
                if (in.readableBytes() < partLength) {
                    return;
                }
                ByteBuf part = in.readRetainedSlice(partLength);
                state = State.HEADER;
                if (partLength == MySqlPacket.MAX_PART) {
                    if (joined == null) {
                        joined = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
                    }
                    joined.addComponent(true, part);
                    continue;
                }
                if (joined != null) {
                    joined.addComponent(true, part);
                    part = joined;
                    joined = null;
                }
                out.add(new MySqlPacket(sequenceId, part));
                return;
            }
        } catch (RuntimeException e) {
            reset();
            throw e;
        }
    }

    private void reset() {
        state = State.HEADER;
        partLength = 0;
        if (joined != null) {
            joined.release();
            joined = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        reset();
    }
}
