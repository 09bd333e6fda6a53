package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The primitive encodings of the MySQL protocol: length-encoded integers and strings and NUL-terminated
 * strings. Readers throw {@link MalformedPacketException} on short input instead of reading garbage.
 */
final class WireFormat {
    private WireFormat() {}

    static void writeLengthEncodedInt(ByteBuf out, long value) {
        if (value >= 0 && value < 251) {
            out.writeByte((int) value);
        } else if (value >= 0 && value < (1 << 16)) {
            out.writeByte(0xFC);
            out.writeShortLE((int) value);
        } else if (value >= 0 && value < (1 << 24)) {
            out.writeByte(0xFD);
            out.writeMediumLE((int) value);
        } else {
            out.writeByte(0xFE);
            out.writeLongLE(value);
        }
    }

    static void writeLengthEncodedBytes(ByteBuf out, byte[] value) {
        writeLengthEncodedInt(out, value.length);
        out.writeBytes(value);
    }

    static void writeLengthEncodedString(ByteBuf out, String value) {
        writeLengthEncodedBytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    static void writeNulString(ByteBuf out, String value) {
        out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.writeByte(0);
    }

    static long readLengthEncodedInt(ByteBuf in) {
        need(in, 1);
        int first = in.readUnsignedByte();
        switch (first) {
            case 0xFC:
                need(in, 2);
                return in.readUnsignedShortLE();
            case 0xFD:
                need(in, 3);
                return in.readUnsignedMediumLE();
            case 0xFE:
                need(in, 8);
                return in.readLongLE();
            case 0xFB:
            case 0xFF:
                throw new MalformedPacketException("invalid length-encoded integer");
            default:
                return first;
        }
    }

    static byte[] readLengthEncodedBytes(ByteBuf in) {
        long length = readLengthEncodedInt(in);
        if (length < 0 || length > in.readableBytes()) {
            throw new MalformedPacketException("length-encoded string longer than the packet");
        }
        byte[] bytes = new byte[(int) length];
        in.readBytes(bytes);
        return bytes;
    }

    static String readNulString(ByteBuf in) {
        int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new MalformedPacketException("missing NUL terminator");
        }
        String value = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
        in.readerIndex(end + 1);
        return value;
    }

    /** Reads a NUL-terminated string, or the rest of the packet when the terminator is missing. */
    static String readNulStringOrRest(ByteBuf in) {
        int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
        if (end < 0) {
            return readRest(in);
        }
        return readNulString(in);
    }

    static String readRest(ByteBuf in) {
        String value = in.toString(StandardCharsets.UTF_8);
        in.skipBytes(in.readableBytes());
        return value;
    }

    static void need(ByteBuf in, int bytes) {
        if (in.readableBytes() < bytes) {
            throw new MalformedPacketException("packet too short");
        }
    }
}
