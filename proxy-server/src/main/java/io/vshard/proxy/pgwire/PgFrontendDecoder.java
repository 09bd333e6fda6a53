package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits the client byte stream into {@link FrontendMessage}s.
 *
 * <p>An explicit state machine: in {@code STARTUP} frames carry only a length (SSLRequest, GSSENCRequest,
 * CancelRequest, StartupMessage); after the StartupMessage it switches to {@code REGULAR} frames of type byte plus
 * length. Any malformed or oversized frame moves it to {@code FAILED}, which drops every later byte, and raises a
 * {@link PgProtocolException}; the handler answers with an ErrorResponse and closes the connection. Nothing is
 * allocated for a frame until its whole body has arrived, so a client announcing a huge length costs nothing.
 */
final class PgFrontendDecoder extends ByteToMessageDecoder {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static final int CANCEL_REQUEST = 80877102;
    private static final int MAX_STARTUP_LENGTH = 10_000;

    private enum State {
        STARTUP,
        REGULAR,
        FAILED
    }

    private final int maxMessageSize;
    private State state = State.STARTUP;

    /** @param maxMessageSize the largest accepted frame length in bytes (length field included) */
    PgFrontendDecoder(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** Whether the startup is over and no partial frame is held, so the next bytes read begin a frame. */
    boolean betweenFrames() {
        return state == State.REGULAR && !internalBuffer().isReadable();
    }

    /**
     * The messages of {@code frames}, whole frames of the query phase, read as {@link #decode} reads them.
     *
     * @throws PgProtocolException when a frame is malformed
     */
    static List<FrontendMessage> decodeAll(ByteBuf frames) {
        PgFrontendDecoder decoder = new PgFrontendDecoder(Integer.MAX_VALUE);
        decoder.state = State.REGULAR;
        List<Object> out = new ArrayList<>(4);
        while (frames.isReadable() && decoder.decodeRegular(frames, out)) {
            // every frame is whole
        }
        List<FrontendMessage> messages = new ArrayList<>(out.size());
        out.forEach(m -> messages.add((FrontendMessage) m));
        return messages;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable() && decodeOne(in, out)) {
                // keep going: several frames may sit in one read
            }
        } catch (PgProtocolException e) {
            fail(in);
            throw e;
        } catch (IndexOutOfBoundsException e) {
            fail(in);
            throw new PgProtocolException(PgProtocolException.PROTOCOL_VIOLATION, "invalid message format");
        }
    }

    private void fail(ByteBuf in) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
    }

    /** Returns false when more bytes are needed. */
    private boolean decodeOne(ByteBuf in, List<Object> out) {
        switch (state) {
            case STARTUP:
                return decodeStartup(in, out);
            case REGULAR:
                return decodeRegular(in, out);
            default:
                in.skipBytes(in.readableBytes());
                return false;
        }
    }

    private boolean decodeStartup(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return false;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP_LENGTH) {
            throw violation("invalid length of startup packet");
        }
        if (in.readableBytes() < length) {
            return false;
        }
        in.skipBytes(4);
        ByteBuf body = in.readSlice(length - 4);
        int code = body.readInt();
        if (code == SSL_REQUEST && length == 8) {
            out.add(new FrontendMessage.SslRequest());
        } else if (code == GSSENC_REQUEST && length == 8) {
            out.add(new FrontendMessage.GssEncRequest());
        } else if (code == CANCEL_REQUEST && length == 16) {
            out.add(new FrontendMessage.CancelRequest(body.readInt(), body.readInt()));
            state = State.FAILED;
        } else if ((code >>> 16) == 3) {
            out.add(new FrontendMessage.Startup(code, readParameters(body)));
            state = State.REGULAR;
        } else {
            throw new PgProtocolException(
                    "0A000", "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xFFFF));
        }
        return true;
    }

    private static Map<String, String> readParameters(ByteBuf body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        while (true) {
            String name = readCString(body);
            if (name.isEmpty()) {
                break;
            }
            parameters.put(name, readCString(body));
        }
        expectEnd(body);
        return parameters;
    }

    private boolean decodeRegular(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 5) {
            return false;
        }
        int length = in.getInt(in.readerIndex() + 1);
        if (length < 4) {
            throw violation("invalid message length");
        }
        if (length > maxMessageSize) {
            throw new PgProtocolException(
                    PgProtocolException.LIMIT_EXCEEDED, "message of " + length + " bytes exceeds the limit");
        }
        if (in.readableBytes() < 1 + length) {
            return false;
        }
        byte type = in.readByte();
        in.skipBytes(4);
        ByteBuf body = in.readSlice(length - 4);
        FrontendMessage message = decodeBody(type, body);
        expectEnd(body);
        out.add(message);
        return true;
    }

    private static FrontendMessage decodeBody(byte type, ByteBuf body) {
        switch (type) {
            case 'Q':
                return new FrontendMessage.Query(readCString(body));
            case 'P':
                return decodeParse(body);
            case 'B':
                return decodeBind(body);
            case 'D':
                return new FrontendMessage.Describe(readKind(body), readCString(body));
            case 'E':
                return new FrontendMessage.Execute(readCString(body), body.readInt());
            case 'C':
                return new FrontendMessage.Close(readKind(body), readCString(body));
            case 'S':
                return new FrontendMessage.Sync();
            case 'H':
                return new FrontendMessage.Flush();
            case 'X':
                return new FrontendMessage.Terminate();
            case 'p':
                byte[] bytes = new byte[body.readableBytes()];
                body.readBytes(bytes);
                return new FrontendMessage.PasswordMessage(bytes);
            default:
                throw violation("invalid frontend message type " + (type & 0xFF));
        }
    }

    private static FrontendMessage decodeParse(ByteBuf body) {
        String name = readCString(body);
        String sql = readCString(body);
        int count = readCount(body, 4);
        int[] types = new int[count];
        for (int i = 0; i < count; i++) {
            types[i] = body.readInt();
        }
        return new FrontendMessage.Parse(name, sql, types);
    }

    private static FrontendMessage decodeBind(ByteBuf body) {
        String portal = readCString(body);
        String statement = readCString(body);
        short[] formats = readFormats(body);
        int count = readCount(body, 4);
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = body.readInt();
            if (length == -1) {
                values.add(null);
            } else if (length < 0 || length > body.readableBytes()) {
                throw violation("invalid parameter length");
            } else {
                byte[] value = new byte[length];
                body.readBytes(value);
                values.add(value);
            }
        }
        return new FrontendMessage.Bind(portal, statement, formats, values, readFormats(body));
    }

    private static short[] readFormats(ByteBuf body) {
        int count = readCount(body, 2);
        short[] formats = new short[count];
        for (int i = 0; i < count; i++) {
            formats[i] = body.readShort();
            if (formats[i] != 0 && formats[i] != 1) {
                throw violation("invalid format code " + formats[i]);
            }
        }
        return formats;
    }

    /** Reads an int16 count and checks that the rest of the body can hold that many items of minimum size. */
    private static int readCount(ByteBuf body, int minItemSize) {
        int count = body.readUnsignedShort();
        if ((long) count * minItemSize > body.readableBytes()) {
            throw violation("invalid item count");
        }
        return count;
    }

    private static byte readKind(ByteBuf body) {
        byte kind = body.readByte();
        if (kind != 'S' && kind != 'P') {
            throw violation("invalid DESCRIBE/CLOSE message subtype " + kind);
        }
        return kind;
    }

    private static String readCString(ByteBuf body) {
        int end = body.indexOf(body.readerIndex(), body.writerIndex(), (byte) 0);
        if (end < 0) {
            throw violation("invalid string in message");
        }
        String value = body.toString(body.readerIndex(), end - body.readerIndex(), StandardCharsets.UTF_8);
        body.readerIndex(end + 1);
        return value;
    }

    private static void expectEnd(ByteBuf body) {
        if (body.isReadable()) {
            throw violation("invalid message format");
        }
    }

    private static PgProtocolException violation(String message) {
        return new PgProtocolException(PgProtocolException.PROTOCOL_VIOLATION, message);
    }
}
