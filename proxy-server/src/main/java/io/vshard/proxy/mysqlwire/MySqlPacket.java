package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One logical MySQL packet: its payload (continuations already joined) and the sequence id of its last
 * physical part. The holder owns the payload; whoever consumes the packet releases it.
 */
final class MySqlPacket extends DefaultByteBufHolder {
    /** Largest payload of one physical packet; a payload this long is continued in the next one. */
    static final int MAX_PART = 0xFFFFFF;

    private final int sequenceId;

    MySqlPacket(int sequenceId, ByteBuf payload) {
        super(payload);
        this.sequenceId = sequenceId & 0xFF;
    }

    int sequenceId() {
        return sequenceId;
    }

    /** How many physical packets a payload of this length takes on the wire (hence sequence ids used). */
    static int physicalParts(int payloadLength) {
        return payloadLength / MAX_PART + 1;
    }

    @Override
    public String toString() {
        return "MySqlPacket[seq=" + sequenceId + ", length=" + content().readableBytes() + "]";
    }
}
