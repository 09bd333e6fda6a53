package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;

/**
 * The client's answer to the handshake (Protocol::HandshakeResponse41).
 *
 * @param capabilities the client's flags
 * @param database the requested default database, or {@code null}
 * @param plugin the plugin the auth response was computed with, empty when the client did not say
 */
record HandshakeResponse(int capabilities, String user, byte[] authResponse, String database, String plugin) {
    /** Fixed part: capabilities, max packet, charset, 23 filler bytes. */
    private static final int FIXED_LENGTH = 32;

    static HandshakeResponse parse(ByteBuf in) {
        WireFormat.need(in, 4);
        int capabilities = in.readIntLE();
        if (!Capabilities.has(capabilities, Capabilities.PROTOCOL_41)) {
            throw new MalformedPacketException("clients before protocol 4.1 are not supported");
        }
        if (Capabilities.has(capabilities, Capabilities.SSL) && in.readableBytes() == FIXED_LENGTH - 4) {
            throw new MalformedPacketException("TLS is not enabled on this server");
        }
        WireFormat.need(in, FIXED_LENGTH - 4);
        in.skipBytes(FIXED_LENGTH - 4);
        String user = WireFormat.readNulString(in);
        byte[] auth;
        if (Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            auth = WireFormat.readLengthEncodedBytes(in);
        } else if (Capabilities.has(capabilities, Capabilities.SECURE_CONNECTION)) {
            WireFormat.need(in, 1);
            int length = in.readUnsignedByte();
            WireFormat.need(in, length);
            auth = new byte[length];
            in.readBytes(auth);
        } else {
            auth = WireFormat.readNulString(in).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        String database = null;
        if (Capabilities.has(capabilities, Capabilities.CONNECT_WITH_DB) && in.isReadable()) {
            database = WireFormat.readNulStringOrRest(in);
            if (database.isEmpty()) {
                database = null;
            }
        }
        String plugin = "";
        if (Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH) && in.isReadable()) {
            plugin = WireFormat.readNulStringOrRest(in);
        }
        // Connection attributes follow; the proxy has no use for them.
        return new HandshakeResponse(capabilities, user, auth, database, plugin);
    }
}
