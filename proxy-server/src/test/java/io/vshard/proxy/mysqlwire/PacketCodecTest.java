package io.vshard.proxy.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private static byte[] frame(int sequence, byte[] payload) {
        ByteBuf out = Unpooled.buffer();
        out.writeMediumLE(payload.length);
        out.writeByte(sequence);
        out.writeBytes(payload);
        return ByteBufUtil.getBytes(out);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf out = Unpooled.buffer();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return ByteBufUtil.getBytes(out);
    }

    /** Decodes the stream split into two writes at the given offset; returns payloads and sequence ids. */
    private static List<String> decodeSplit(byte[] stream, int split, int maxPacket) {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(maxPacket));
        channel.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
        channel.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
        List<String> seen = new ArrayList<>();
        MySqlPacket packet;
        while ((packet = channel.readInbound()) != null) {
            seen.add(packet.sequenceId() + ":" + ByteBufUtil.hexDump(packet.content()));
            packet.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return seen;
    }

    @Test
    void decodesPacketsSplitAtEveryByteBoundary() {
        byte[] stream =
                concat(frame(0, new byte[] {3, 'S', 'E', 'L'}), frame(7, new byte[0]), frame(255, new byte[] {1}));
        List<String> expected = List.of("0:0353454c", "7:", "255:01");
        for (int split = 0; split <= stream.length; split++) {
            assertThat(decodeSplit(stream, split, 1024))
                    .as("split at %d", split)
                    .isEqualTo(expected);
        }
    }

    @Test
    void joinsContinuationPacketsOf16MiB() {
        byte[] big = new byte[MySqlPacket.MAX_PART];
        new Random(1).nextBytes(big);
        byte[] stream = concat(frame(0, big), frame(1, new byte[] {42}));
        for (int split : new int[] {
            0,
            1,
            3,
            4,
            5,
            MySqlPacket.MAX_PART + 3,
            MySqlPacket.MAX_PART + 4,
            MySqlPacket.MAX_PART + 7,
            stream.length - 1,
            stream.length
        }) {
            EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(32 << 20));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            MySqlPacket packet = channel.readInbound();
            assertThat(packet.sequenceId()).isEqualTo(1);
            assertThat(packet.content().readableBytes()).isEqualTo(MySqlPacket.MAX_PART + 1);
            assertThat(packet.content().getByte(MySqlPacket.MAX_PART)).isEqualTo((byte) 42);
            assertThat(packet.content().getByte(12345)).isEqualTo(big[12345]);
            packet.release();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void oversizedPacketFailsAndDecoderResets() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(1024));
        byte[] header = {0x01, 0x10, 0x00, 0x00};
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(header)))
                .isInstanceOf(TooLongFrameException.class);
        channel.writeInbound(Unpooled.wrappedBuffer(frame(3, new byte[] {9})));
        MySqlPacket packet = channel.readInbound();
        assertThat(packet.sequenceId()).isEqualTo(3);
        packet.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void encoderSplitsLongPayloadsAndNumbersTheParts() {
        EmbeddedChannel channel = new EmbeddedChannel(PacketEncoder.INSTANCE);
        byte[] payload = new byte[MySqlPacket.MAX_PART];
        channel.writeOutbound(new MySqlPacket(5, Unpooled.wrappedBuffer(payload)));
        ByteBuf wire = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            wire.writeBytes(part);
            part.release();
        }
        assertThat(wire.readableBytes()).isEqualTo(MySqlPacket.MAX_PART + 8);
        assertThat(wire.getUnsignedMediumLE(0)).isEqualTo(MySqlPacket.MAX_PART);
        assertThat(wire.getUnsignedByte(3)).isEqualTo((short) 5);
        assertThat(wire.getUnsignedMediumLE(MySqlPacket.MAX_PART + 4)).isZero();
        assertThat(wire.getUnsignedByte(MySqlPacket.MAX_PART + 7)).isEqualTo((short) 6);
        assertThat(MySqlPacket.physicalParts(MySqlPacket.MAX_PART)).isEqualTo(2);
        wire.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
