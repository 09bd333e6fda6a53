package io.vshard.proxy.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseTrackerTest {
    private static ByteBuf frame(int... payload) {
        ByteBuf b = Unpooled.buffer();
        b.writeMediumLE(payload.length).writeByte(1);
        for (int p : payload) {
            b.writeByte(p);
        }
        return b;
    }

    /** Index of the frame the tracker calls the end, or -1. */
    private static int end(ResponseTracker t, List<ByteBuf> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (t.next(frames.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void okAndErrorEndAtOnce() {
        assertThat(end(new ResponseTracker(false), List.of(frame(0x00, 0, 0, 2, 0, 0, 0))))
                .isZero();
        assertThat(end(new ResponseTracker(true), List.of(frame(0xFF, 0x7A, 0x04))))
                .isZero();
    }

    @Test
    void resultSetWithEofsEndsAtTheClosingEof() {
        List<ByteBuf> frames = new ArrayList<>();
        frames.add(frame(2)); // two columns
        frames.add(frame(3, 'd', 'e', 'f'));
        frames.add(frame(3, 'd', 'e', 'f'));
        frames.add(frame(0xFE, 0, 0, 2, 0)); // EOF after columns
        frames.add(frame(1, 'a', 1, 'b')); // text row
        frames.add(frame(0x00, 0, 0)); // binary row
        frames.add(frame(0xFE, 0, 0, 2, 0)); // closing EOF
        assertThat(end(new ResponseTracker(false), frames)).isEqualTo(6);
    }

    @Test
    void deprecateEofEndsAtTheOkWithEofHeaderAndFollowsMoreResults() {
        List<ByteBuf> frames = new ArrayList<>();
        frames.add(frame(1));
        frames.add(frame(3, 'd', 'e', 'f'));
        frames.add(frame(1, 'x'));
        frames.add(frame(0xFE, 0, 0, 0x0A, 0, 0, 0)); // OK, status AUTOCOMMIT | MORE_RESULTS_EXISTS
        frames.add(frame(0x00, 1, 0, 2, 0, 0, 0)); // the next result: an OK
        assertThat(end(new ResponseTracker(true), frames)).isEqualTo(4);
    }

    @Test
    void anErrorPacketMarksTheResponseFailedUntilReset() {
        ResponseTracker t = new ResponseTracker(false);
        assertThat(end(t, List.of(frame(0xFF, 0x7A, 0x04)))).isZero();
        assertThat(t.failed()).isTrue();
        t.reset();
        assertThat(t.failed()).isFalse();
        // An error in place of a row (the statement failed while it streamed rows) fails it too.
        List<ByteBuf> frames = new ArrayList<>();
        frames.add(frame(1));
        frames.add(frame(3, 'd', 'e', 'f'));
        frames.add(frame(0xFE, 0, 0, 2, 0));
        frames.add(frame(1, 'a'));
        frames.add(frame(0xFF, 0x7A, 0x04));
        assertThat(end(t, frames)).isEqualTo(4);
        assertThat(t.failed()).isTrue();
        t.reset();
        List<ByteBuf> clean = new ArrayList<>(frames.subList(0, 4));
        clean.add(frame(0xFE, 0, 0, 2, 0));
        assertThat(end(t, clean)).isEqualTo(4);
        assertThat(t.failed()).isFalse();
    }

    @Test
    void localInfileIsRefused() {
        assertThatThrownBy(() -> new ResponseTracker(true).next(frame(0xFB, 'f')))
                .isInstanceOf(MalformedPacketException.class);
    }
}
