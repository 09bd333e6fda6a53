package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes {@link BackendMessage}s as PostgreSQL v3 frames (type byte, int32 length, body). Stateless. */
@ChannelHandler.Sharable
final class PgBackendEncoder extends MessageToByteEncoder<BackendMessage> {

    PgBackendEncoder() {
        super(BackendMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, BackendMessage message, ByteBuf out) {
        if (message instanceof BackendMessage.EncryptionResponse response) {
            out.writeByte(response.answer());
            return;
        }
        if (message instanceof BackendMessage.DataRow row) {
            writeDataRow(row, out);
            return;
        }
        int start = out.writerIndex();
        out.writeByte(typeOf(message));
        out.writeInt(0);
        writeBody(message, out);
        out.setInt(start + 1, out.writerIndex() - start - 1);
    }

    private static void writeDataRow(BackendMessage.DataRow row, ByteBuf out) {
        int length = 4 + 2;
        for (byte[] value : row.values()) {
            length += 4 + (value == null ? 0 : value.length);
        }
        out.ensureWritable(1 + length);
        out.writeByte('D');
        out.writeInt(length);
        out.writeShort(row.values().size());
        for (byte[] value : row.values()) {
            if (value == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(value.length);
                out.writeBytes(value);
            }
        }
    }

    private static byte typeOf(BackendMessage message) {
        if (message instanceof BackendMessage.Authentication) {
            return 'R';
        } else if (message instanceof BackendMessage.ParameterStatus) {
            return 'S';
        } else if (message instanceof BackendMessage.BackendKeyData) {
            return 'K';
        } else if (message instanceof BackendMessage.ReadyForQuery) {
            return 'Z';
        } else if (message instanceof BackendMessage.RowDescription) {
            return 'T';
        } else if (message instanceof BackendMessage.CommandComplete) {
            return 'C';
        } else if (message instanceof BackendMessage.EmptyQueryResponse) {
            return 'I';
        } else if (message instanceof BackendMessage.ErrorOrNotice e) {
            return e.error() ? (byte) 'E' : (byte) 'N';
        } else if (message instanceof BackendMessage.ParseComplete) {
            return '1';
        } else if (message instanceof BackendMessage.BindComplete) {
            return '2';
        } else if (message instanceof BackendMessage.CloseComplete) {
            return '3';
        } else if (message instanceof BackendMessage.NoData) {
            return 'n';
        } else if (message instanceof BackendMessage.ParameterDescription) {
            return 't';
        } else if (message instanceof BackendMessage.PortalSuspended) {
            return 's';
        }
        throw new IllegalArgumentException(
                "unknown backend message " + message.getClass().getSimpleName());
    }

    private static void writeBody(BackendMessage message, ByteBuf out) {
        if (message instanceof BackendMessage.Authentication auth) {
            out.writeInt(auth.code());
            out.writeBytes(auth.data());
        } else if (message instanceof BackendMessage.ParameterStatus status) {
            writeCString(out, status.name());
            writeCString(out, status.value());
        } else if (message instanceof BackendMessage.BackendKeyData key) {
            out.writeInt(key.processId());
            out.writeInt(key.secretKey());
        } else if (message instanceof BackendMessage.ReadyForQuery ready) {
            out.writeByte(ready.status());
        } else if (message instanceof BackendMessage.RowDescription description) {
            writeRowDescription(description, out);
        } else if (message instanceof BackendMessage.CommandComplete complete) {
            writeCString(out, complete.tag());
        } else if (message instanceof BackendMessage.ErrorOrNotice error) {
            for (Map.Entry<Character, String> field : error.fields().entrySet()) {
                out.writeByte(field.getKey());
                writeCString(out, field.getValue());
            }
            out.writeByte(0);
        } else if (message instanceof BackendMessage.ParameterDescription parameters) {
            out.writeShort(parameters.typeOids().length);
            for (int oid : parameters.typeOids()) {
                out.writeInt(oid);
            }
        }
    }

    private static void writeRowDescription(BackendMessage.RowDescription description, ByteBuf out) {
        out.writeShort(description.fields().size());
        for (BackendMessage.Field field : description.fields()) {
            writeCString(out, field.name());
            out.writeInt(0);
            out.writeShort(0);
            out.writeInt(field.typeOid());
            out.writeShort(field.typeLength());
            out.writeInt(field.typeModifier());
            out.writeShort(field.format());
        }
    }

    private static void writeCString(ByteBuf out, String value) {
        // A NUL inside a value would end the string early on the client; PostgreSQL never sends one either.
        out.writeCharSequence(value.replace('\0', ' '), StandardCharsets.UTF_8);
        out.writeByte(0);
    }
}
