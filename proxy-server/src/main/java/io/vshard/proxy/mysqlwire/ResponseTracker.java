package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;

/**
 * Follows a backend's response to one command, frame by frame, to tell where it ends, without decoding rows:
 * an OK or ERR; or a result set (column count, column definitions, an EOF unless {@code DEPRECATE_EOF}, rows,
 * then an EOF, an OK with the EOF header, or an ERR), repeated while the status says more results follow. A row
 * never passes for the end: a text row starting with 0xFE is at least 16 MiB long, a binary row starts with 0x00.
 * A frame of 16 MiB - 1 bytes is continued by the next frame, which is not looked at. Used by one thread.
 */
final class ResponseTracker {
    private static final int MORE_RESULTS_EXISTS = 0x0008;

    private enum State {
        FIRST,
        COLUMNS,
        COLUMNS_EOF,
        ROWS,
        DONE
    }

    private final boolean deprecateEof;
    private State state = State.FIRST;
    private long columnsLeft;
    private boolean continued;
    /** The response (or one of its result sets) ended in an error packet. */
    private boolean failed;

    ResponseTracker(boolean deprecateEof) {
        this.deprecateEof = deprecateEof;
    }

    /** Starts following a new response. */
    void reset() {
        state = State.FIRST;
        columnsLeft = 0;
        continued = false;
        failed = false;
    }

    boolean done() {
        return state == State.DONE;
    }

    /** Whether the response followed since the last {@link #reset()} ended in an error packet. */
    boolean failed() {
        return failed;
    }

    /**
     * Takes the next frame (4-byte header and payload, reader index at the header) and says whether the
     * response is complete with it.
     *
     * @throws MalformedPacketException when the frame cannot be part of a response
     */
    boolean next(ByteBuf frame) {
        return next(frame, frame.readerIndex());
    }

    /** As {@link #next(ByteBuf)} for the frame whose header starts at index {@code start} of {@code frame}. */
    boolean next(ByteBuf frame, int start) {
        int length = frame.getUnsignedMediumLE(start);
        boolean wasContinued = continued;
        continued = length == MySqlPacket.MAX_PART;
        if (wasContinued) {
            return false;
        }
        if (length == 0) {
            throw new MalformedPacketException("empty packet from the backend");
        }
        int p = start + 4;
        int header = frame.getUnsignedByte(p);
        switch (state) {
            case FIRST -> first(frame, p, header, length);
            case COLUMNS -> {
                if (--columnsLeft == 0) {
                    state = deprecateEof ? State.ROWS : State.COLUMNS_EOF;
                }
            }
            case COLUMNS_EOF -> state = State.ROWS;
            case ROWS -> {
                if (header == 0xFF) {
                    failed = true;
                    state = State.DONE;
                } else if (header == 0xFE && length < MySqlPacket.MAX_PART && (deprecateEof || length < 9)) {
                    int status = deprecateEof ? okStatus(frame, p) : frame.getUnsignedShortLE(p + 3);
                    state = (status & MORE_RESULTS_EXISTS) != 0 ? State.FIRST : State.DONE;
                }
            }
            default -> throw new MalformedPacketException("backend sent more than its response");
        }
        return state == State.DONE;
    }

    private void first(ByteBuf frame, int p, int header, int length) {
        if (header == 0xFF) {
            failed = true;
            state = State.DONE;
        } else if (header == 0x00) {
            state = (okStatus(frame, p) & MORE_RESULTS_EXISTS) != 0 ? State.FIRST : State.DONE;
        } else if (header == 0xFB) {
            throw new MalformedPacketException("LOAD DATA LOCAL INFILE is not relayed");
        } else {
            columnsLeft = lengthEncoded(frame, p);
            if (columnsLeft <= 0 || length > 9) {
                throw new MalformedPacketException("invalid column count from the backend");
            }
            state = State.COLUMNS;
        }
    }

    /** The status flags of an OK packet (header at {@code p}: header, affected rows, insert id, status). */
    private static int okStatus(ByteBuf frame, int p) {
        int q = p + 1;
        q += lengthEncodedSize(frame, q);
        q += lengthEncodedSize(frame, q);
        return frame.getUnsignedShortLE(q);
    }

    private static int lengthEncodedSize(ByteBuf frame, int at) {
        int first = frame.getUnsignedByte(at);
        return switch (first) {
            case 0xFC -> 3;
            case 0xFD -> 4;
            case 0xFE -> 9;
            default -> 1;
        };
    }

    private static long lengthEncoded(ByteBuf frame, int at) {
        int first = frame.getUnsignedByte(at);
        return switch (first) {
            case 0xFC -> frame.getUnsignedShortLE(at + 1);
            case 0xFD -> frame.getUnsignedMediumLE(at + 1);
            case 0xFE -> frame.getLongLE(at + 1);
            default -> first;
        };
    }
}
