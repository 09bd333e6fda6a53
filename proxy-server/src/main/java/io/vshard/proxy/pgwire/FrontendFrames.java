package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes client messages as PostgreSQL v3 frames, for the proxy's own connections to a backend: what a client
 * sent is re-encoded byte for byte as {@link PgFrontendDecoder} read it. Stateless.
 */
final class FrontendFrames {

    private static final int PROTOCOL_3_0 = 196608;

    private FrontendFrames() {}

    static void startup(ByteBuf out, Map<String, String> parameters) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeInt(PROTOCOL_3_0);
        parameters.forEach((name, value) -> {
            cstring(out, name);
            cstring(out, value);
        });
        out.writeByte(0);
        out.setInt(start, out.writerIndex() - start);
    }

    static void password(ByteBuf out, byte[] body) {
        int start = begin(out, 'p');
        out.writeBytes(body);
        end(out, start);
    }

    static void query(ByteBuf out, String sql) {
        int start = begin(out, 'Q');
        cstring(out, sql);
        end(out, start);
    }

    static void parse(ByteBuf out, String name, String sql, int[] types) {
        int start = begin(out, 'P');
        cstring(out, name);
        cstring(out, sql);
        out.writeShort(types.length);
        for (int type : types) {
            out.writeInt(type);
        }
        end(out, start);
    }

    static void bind(ByteBuf out, FrontendMessage.Bind bind) {
        int start = begin(out, 'B');
        cstring(out, bind.portal());
        cstring(out, bind.statement());
        formats(out, bind.parameterFormats());
        out.writeShort(bind.values().size());
        for (byte[] value : bind.values()) {
            if (value == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(value.length);
                out.writeBytes(value);
            }
        }
        formats(out, bind.resultFormats());
        end(out, start);
    }

    static void describe(ByteBuf out, byte kind, String name) {
        int start = begin(out, 'D');
        out.writeByte(kind);
        cstring(out, name);
        end(out, start);
    }

    static void execute(ByteBuf out, String portal, int maxRows) {
        int start = begin(out, 'E');
        cstring(out, portal);
        out.writeInt(maxRows);
        end(out, start);
    }

    static void close(ByteBuf out, byte kind, String name) {
        int start = begin(out, 'C');
        out.writeByte(kind);
        cstring(out, name);
        end(out, start);
    }

    static void sync(ByteBuf out) {
        out.writeByte('S');
        out.writeInt(4);
    }

    static void terminate(ByteBuf out) {
        out.writeByte('X');
        out.writeInt(4);
    }

    private static void formats(ByteBuf out, short[] formats) {
        out.writeShort(formats.length);
        for (short format : formats) {
            out.writeShort(format);
        }
    }

    private static int begin(ByteBuf out, char type) {
        out.writeByte(type);
        int start = out.writerIndex();
        out.writeInt(0);
        return start;
    }

    private static void end(ByteBuf out, int start) {
        out.setInt(start, out.writerIndex() - start);
    }

    private static void cstring(ByteBuf out, String value) {
        out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.writeByte(0);
    }
}
