package io.vshard.proxy.pgwire;

import io.netty.handler.codec.DecoderException;

/** A client broke the wire protocol; the connection gets an ErrorResponse with {@link #sqlState()} and closes. */
final class PgProtocolException extends DecoderException {

    private static final long serialVersionUID = 1L;

    /** 08P01 protocol_violation. */
    static final String PROTOCOL_VIOLATION = "08P01";
    /** 54000 program_limit_exceeded, used for oversized messages. */
    static final String LIMIT_EXCEEDED = "54000";

    private final String sqlState;

    PgProtocolException(String sqlState, String message) {
        super(message);
        this.sqlState = sqlState;
    }

    String sqlState() {
        return sqlState;
    }
}
