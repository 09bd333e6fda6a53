package io.vshard.proxy.mysqlwire;

/** A client packet that does not follow the protocol; the connection answers ERR 1047 (08S01) and closes. */
final class MalformedPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedPacketException(String message) {
        super(message);
    }
}
