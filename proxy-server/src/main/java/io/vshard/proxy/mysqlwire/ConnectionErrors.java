package io.vshard.proxy.mysqlwire;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import org.slf4j.Logger;

/**
 * How a connection ends on a protocol failure: an oversized packet gets ERR 1153, a malformed one ERR 1047
 * (both SQLSTATE 08S01), then the channel closes; socket errors just close.
 */
final class ConnectionErrors {
    private ConnectionErrors() {}

    static void handle(ChannelHandlerContext ctx, ResponseWriter writer, Throwable cause, Logger log) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof IOException || writer == null || !ctx.channel().isActive()) {
            ctx.close();
            return;
        }
        if (root instanceof TooLongFrameException) {
            writer.error(
                    ErrorCodes.NET_PACKET_TOO_LARGE, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
        } else if (root instanceof MalformedPacketException) {
            writer.error(ErrorCodes.UNKNOWN_COMMAND, "08S01", "Malformed packet: " + root.getMessage());
        } else {
            log.warn("closing connection after an unexpected failure", root);
            writer.error(ErrorCodes.UNKNOWN_ERROR, "08S01", "internal proxy error");
        }
        writer.flush().addListener(f -> ctx.close());
    }
}
