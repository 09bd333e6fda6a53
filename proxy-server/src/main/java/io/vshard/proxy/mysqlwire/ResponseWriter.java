package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.nio.charset.StandardCharsets;

/**
 * Writes the server's packets of one exchange with consecutive sequence ids, and the standard OK, ERR and
 * EOF packets in the form the negotiated capabilities ask for. Used by one thread at a time (the session's
 * current JDBC task, or the event loop during authentication); Netty hands the writes to the event loop.
 * Long results wait on the {@link WritabilityGate} so a slow client holds back the backend, not the heap.
 */
final class ResponseWriter {
    private static final int FLUSH_EVERY = 64;

    private final Channel channel;
    private final WritabilityGate gate;
    private volatile int capabilities = Capabilities.SERVER;
    private int sequence;
    private int unflushed;
    private ChannelFuture lastWrite;

    ResponseWriter(Channel channel, WritabilityGate gate) {
        this.channel = channel;
        this.gate = gate;
    }

    void capabilities(int negotiated) {
        this.capabilities = negotiated;
    }

    int capabilities() {
        return capabilities;
    }

    boolean deprecateEof() {
        return Capabilities.has(capabilities, Capabilities.DEPRECATE_EOF);
    }

    /** Starts a new exchange: the next packet gets the sequence id after the client's last one. */
    void startAfter(int clientSequence) {
        sequence = (clientSequence + 1) & 0xFF;
    }

    ByteBuf buffer() {
        return channel.alloc().buffer();
    }

    /** Queues one packet, taking ownership of the payload. */
    void write(ByteBuf payload) {
        int length = payload.readableBytes();
        lastWrite = channel.write(new MySqlPacket(sequence, payload));
        sequence = (sequence + MySqlPacket.physicalParts(length)) & 0xFF;
        if (++unflushed >= FLUSH_EVERY) {
            unflushed = 0;
            channel.flush();
            gate.awaitWritable(channel);
        }
    }

    /** Flushes; the future completes when the last packet written so far reached the socket. */
    ChannelFuture flush() {
        unflushed = 0;
        ChannelFuture done = lastWrite == null ? channel.newSucceededFuture() : lastWrite;
        lastWrite = null;
        channel.flush();
        return done;
    }

    void ok(long affectedRows, long lastInsertId, int status, int warnings, String info) {
        write(okPayload(0x00, affectedRows, lastInsertId, status, warnings, info));
    }

    /** The end of a result set (or a field list): EOF, or an OK with an EOF header under DEPRECATE_EOF. */
    void endOfRows(int status) {
        if (deprecateEof()) {
            write(okPayload(0xFE, 0, 0, status, 0, ""));
        } else {
            eof(status);
        }
    }

    /** The EOF after column definitions, which DEPRECATE_EOF drops. */
    void endOfColumns(int status) {
        if (!deprecateEof()) {
            eof(status);
        }
    }

    void eof(int status) {
        ByteBuf out = buffer();
        out.writeByte(0xFE);
        out.writeShortLE(0);
        out.writeShortLE(status);
        write(out);
    }

    void error(int code, String sqlState, String message) {
        ByteBuf out = buffer();
        out.writeByte(0xFF);
        out.writeShortLE(code);
        out.writeByte('#');
        String state = sqlState != null && sqlState.length() == 5 ? sqlState : "HY000";
        out.writeCharSequence(state, StandardCharsets.US_ASCII);
        out.writeCharSequence(message == null ? "" : message, StandardCharsets.UTF_8);
        write(out);
    }

    private ByteBuf okPayload(int header, long affected, long insertId, int status, int warnings, String info) {
        ByteBuf out = buffer();
        out.writeByte(header);
        WireFormat.writeLengthEncodedInt(out, affected);
        WireFormat.writeLengthEncodedInt(out, insertId);
        out.writeShortLE(status);
        out.writeShortLE(warnings);
        if (!info.isEmpty()) {
            out.writeCharSequence(info, StandardCharsets.UTF_8);
        }
        return out;
    }
}
