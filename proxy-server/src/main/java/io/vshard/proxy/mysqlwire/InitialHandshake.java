package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.security.SecureRandom;

/**
 * The server's first packet (Protocol::HandshakeV10): version, connection id, the 20-byte nonce split in
 * two parts, the offered capabilities and the default authentication plugin.
 */
final class InitialHandshake {
    static final int NONCE_LENGTH = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private InitialHandshake() {}

    /** A fresh nonce of printable, non-NUL bytes (some clients treat the nonce as a C string). */
    static byte[] nonce() {
        byte[] nonce = new byte[NONCE_LENGTH];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) (33 + RANDOM.nextInt(94));
        }
        return nonce;
    }

    static void encode(ByteBuf out, String serverVersion, int connectionId, byte[] nonce, AuthPlugin plugin) {
        out.writeByte(10);
        WireFormat.writeNulString(out, serverVersion);
        out.writeIntLE(connectionId);
        out.writeBytes(nonce, 0, 8);
        out.writeByte(0);
        out.writeShortLE(Capabilities.SERVER & 0xFFFF);
        out.writeByte(FieldType.CHARSET_UTF8MB4);
        out.writeShortLE(ServerStatus.AUTOCOMMIT);
        out.writeShortLE(Capabilities.SERVER >>> 16);
        out.writeByte(NONCE_LENGTH + 1);
        out.writeZero(10);
        out.writeBytes(nonce, 8, NONCE_LENGTH - 8);
        out.writeByte(0);
        WireFormat.writeNulString(out, plugin.wireName());
    }
}
