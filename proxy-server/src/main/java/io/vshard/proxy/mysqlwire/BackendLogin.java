package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;

/**
 * The client side of the connection phase, for a {@link BackendLink}: answers the backend's HandshakeV10 with
 * a HandshakeResponse41 using {@code mysql_native_password}, follows an auth switch to that plugin, accepts the
 * caching_sha2 fast-auth success, and fails on anything else (a full caching_sha2 exchange needs TLS or RSA,
 * which relayed links do not do). Stateless: the sequence ids and the first byte tell the steps apart.
 */
final class BackendLogin {
    static final String NATIVE = "mysql_native_password";

    /** Flags every relay link asks for; the client's result-format flags are added per link. */
    static final int BASE_CAPABILITIES = Capabilities.LONG_PASSWORD
            | Capabilities.LONG_FLAG
            | Capabilities.PROTOCOL_41
            | Capabilities.TRANSACTIONS
            | Capabilities.SECURE_CONNECTION
            | Capabilities.PLUGIN_AUTH;

    /** The client flags that change how results look, hence must match between client and link. */
    static final int RESULT_FORMAT = Capabilities.DEPRECATE_EOF
            | Capabilities.FOUND_ROWS
            | Capabilities.MULTI_RESULTS
            | Capabilities.PS_MULTI_RESULTS;

    private static final int UTF8MB4_GENERAL_CI = 45;

    private BackendLogin() {}

    /**
     * Handles one frame of the connection phase.
     *
     * @return whether the backend accepted the login
     * @throws MalformedPacketException when the backend refused or asked for something unsupported
     */
    static boolean next(ChannelHandlerContext ctx, BackendAddress address, int capabilities, ByteBuf frame) {
        int sequence = frame.getUnsignedByte(frame.readerIndex() + 3);
        ByteBuf in = frame.duplicate().skipBytes(4);
        int header = in.getUnsignedByte(in.readerIndex());
        if (sequence == 0) {
            if (header == 0xFF) {
                throw refused(address, in);
            }
            greeting(ctx, address, capabilities, in);
            return false;
        }
        switch (header) {
            case 0x00 -> {
                return true;
            }
            case 0xFF -> throw refused(address, in);
            case 0xFE -> {
                in.skipBytes(1);
                String plugin = WireFormat.readNulString(in);
                if (!plugin.equals(NATIVE)) {
                    throw new MalformedPacketException(
                            "backend " + address.name() + " asks for the unsupported plugin " + plugin);
                }
                byte[] nonce = new byte[Math.min(20, in.readableBytes())];
                in.readBytes(nonce);
                byte[] answer = PasswordScrambles.nativePassword(address.password(), nonce);
                ByteBuf out = ctx.alloc().buffer(4 + answer.length);
                out.writeMediumLE(answer.length).writeByte(sequence + 1).writeBytes(answer);
                ctx.writeAndFlush(out);
                return false;
            }
            case 0x01 -> {
                if (in.readableBytes() >= 2 && in.getUnsignedByte(in.readerIndex() + 1) == 0x03) {
                    return false; // caching_sha2 fast path succeeded; the OK follows
                }
                throw new MalformedPacketException(
                        "backend " + address.name() + " needs a full caching_sha2 exchange, which relays do not do");
            }
            default -> throw new MalformedPacketException("unexpected login packet from backend " + address.name());
        }
    }

    private static void greeting(ChannelHandlerContext ctx, BackendAddress address, int capabilities, ByteBuf in) {
        if (in.readUnsignedByte() != 10) {
            throw new MalformedPacketException("backend " + address.name() + " speaks no protocol 10");
        }
        WireFormat.readNulString(in);
        WireFormat.need(in, 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10);
        in.skipBytes(4);
        byte[] nonce = new byte[20];
        in.readBytes(nonce, 0, 8);
        in.skipBytes(1 + 2 + 1 + 2 + 2 + 1 + 10);
        WireFormat.need(in, 12);
        in.readBytes(nonce, 8, 12);
        byte[] answer = PasswordScrambles.nativePassword(address.password(), nonce);
        byte[] user = address.user().getBytes(StandardCharsets.UTF_8);
        ByteBuf out = ctx.alloc().buffer(64 + user.length);
        out.writeMediumLE(0).writeByte(1);
        out.writeIntLE(capabilities);
        out.writeIntLE(1 << 24);
        out.writeByte(UTF8MB4_GENERAL_CI);
        out.writeZero(23);
        out.writeBytes(user).writeByte(0);
        out.writeByte(answer.length).writeBytes(answer);
        out.writeCharSequence(NATIVE, StandardCharsets.US_ASCII);
        out.writeByte(0);
        out.setMediumLE(0, out.readableBytes() - 4);
        ctx.writeAndFlush(out);
    }

    private static MalformedPacketException refused(BackendAddress address, ByteBuf in) {
        in.skipBytes(1);
        int code = in.readableBytes() >= 2 ? in.readUnsignedShortLE() : 0;
        if (in.isReadable() && in.getByte(in.readerIndex()) == '#') {
            in.skipBytes(Math.min(6, in.readableBytes()));
        }
        return new MalformedPacketException("backend " + address.name() + " refused the relay login (" + code + "): "
                + in.toString(StandardCharsets.UTF_8));
    }
}
