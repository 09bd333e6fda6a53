package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PgFrontendDecoderTest {

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    /** A session's worth of client bytes: every startup and regular message kind. */
    private static byte[] conversation() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(8).writeInt(80877103);
        int start = buf.writerIndex();
        buf.writeInt(0).writeInt(3 << 16);
        cstring(buf, "user");
        cstring(buf, "alice");
        cstring(buf, "database");
        cstring(buf, "db ü");
        buf.writeByte(0);
        buf.setInt(start, buf.writerIndex() - start);
        regular(buf, 'p', body -> body.writeBytes("secret\0".getBytes(StandardCharsets.UTF_8)));
        regular(buf, 'Q', body -> cstring(body, "SELECT 1; SELECT 'ü'"));
        regular(buf, 'P', body -> {
            cstring(body, "s1");
            cstring(body, "SELECT $1, $2");
            body.writeShort(2).writeInt(23).writeInt(0);
        });
        regular(buf, 'B', body -> {
            cstring(body, "p1");
            cstring(body, "s1");
            body.writeShort(1).writeShort(1);
            body.writeShort(2).writeInt(4).writeInt(42).writeInt(-1);
            body.writeShort(1).writeShort(1);
        });
        regular(buf, 'D', body -> {
            body.writeByte('P');
            cstring(body, "p1");
        });
        regular(buf, 'E', body -> {
            cstring(body, "p1");
            body.writeInt(10);
        });
        regular(buf, 'C', body -> {
            body.writeByte('S');
            cstring(body, "s1");
        });
        regular(buf, 'H', body -> {});
        regular(buf, 'S', body -> {});
        regular(buf, 'X', body -> {});
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    private static final List<String> EXPECTED = List.of(
            "SslRequest[]",
            "Startup[protocolVersion=196608, parameters={user=alice, database=db ü}]",
            "PasswordMessage[secret\0]",
            "Query[sql=SELECT 1; SELECT 'ü']",
            "Parse s1 SELECT $1, $2 [23, 0]",
            "Bind p1 s1 [1] [[0, 0, 0, 42], null] [1]",
            "Describe P p1",
            "Execute[portal=p1, maxRows=10]",
            "Close S s1",
            "Flush[]",
            "Sync[]",
            "Terminate[]");

    @Test
    void decodesEveryMessageWhateverTheSplitPoint() {
        byte[] bytes = conversation();
        for (int split = 0; split <= bytes.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1 << 20));
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            assertThat(drain(channel)).as("split at %d", split).isEqualTo(EXPECTED);
            assertThat(channel.finish()).isFalse();
        }
    }

    @Test
    void decodesByteByByte() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1 << 20));
        for (byte b : conversation()) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(drain(channel)).isEqualTo(EXPECTED);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void decodeAllReadsTheFramesOfAUnitAsTheDecoderDoes() {
        ByteBuf unit = Unpooled.buffer();
        regular(unit, 'B', body -> {
            cstring(body, "");
            cstring(body, "S_1");
            body.writeShort(1).writeShort(1);
            body.writeShort(1).writeInt(8).writeLong(42);
            body.writeShort(0);
        });
        regular(unit, 'D', body -> {
            body.writeByte('P');
            cstring(body, "");
        });
        regular(unit, 'E', body -> {
            cstring(body, "");
            body.writeInt(0);
        });
        regular(unit, 'S', body -> {});
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1 << 20));
        channel.writeInbound(startup());
        channel.readInbound();
        channel.writeInbound(unit.copy());
        List<String> viaDecoder = new ArrayList<>();
        for (Object m = channel.readInbound(); m != null; m = channel.readInbound()) {
            viaDecoder.add(describe((FrontendMessage) m));
        }
        List<String> viaDecodeAll = new ArrayList<>();
        PgFrontendDecoder.decodeAll(unit).forEach(m -> viaDecodeAll.add(describe(m)));
        assertThat(viaDecodeAll).hasSize(4).isEqualTo(viaDecoder);
        assertThat(unit.isReadable()).isFalse();
        unit.release();
        assertThatThrownBy(() -> PgFrontendDecoder.decodeAll(
                        Unpooled.buffer().writeByte('Z').writeInt(4)))
                .isInstanceOf(PgProtocolException.class);
    }

    @Test
    void oversizedMessageFailsBeforeItsBodyArrivesAndLaterBytesAreDropped() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1024));
        channel.writeInbound(startup());
        channel.readInbound();
        ByteBuf huge = Unpooled.buffer().writeByte('Q').writeInt(1 << 30);
        assertThatThrownBy(() -> channel.writeInbound(huge))
                .isInstanceOf(PgProtocolException.class)
                .satisfies(e -> assertThat(((PgProtocolException) e).sqlState()).isEqualTo("54000"));
        channel.writeInbound(query("SELECT 1"));
        Object after = channel.readInbound();
        assertThat(after).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void malformedFramesAreProtocolViolations() {
        List<ByteBuf> bad = List.of(
                Unpooled.buffer().writeByte('Z').writeInt(4),
                Unpooled.buffer().writeByte('Q').writeInt(3),
                Unpooled.buffer().writeByte('Q').writeInt(7).writeBytes(new byte[] {'a', 'b', 'c'}),
                Unpooled.buffer().writeByte('D').writeInt(6).writeByte('X').writeByte(0),
                Unpooled.buffer().writeByte('E').writeInt(6).writeByte(0).writeByte(0),
                Unpooled.buffer().writeByte('S').writeInt(5).writeByte(0),
                Unpooled.buffer()
                        .writeByte('B')
                        .writeInt(12)
                        .writeByte(0)
                        .writeByte(0)
                        .writeShort(0)
                        .writeShort(1000)
                        .writeShort(0));
        for (ByteBuf frame : bad) {
            EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1024));
            channel.writeInbound(startup());
            channel.readInbound();
            assertThatThrownBy(() -> channel.writeInbound(frame))
                    .isInstanceOf(PgProtocolException.class)
                    .satisfies(e ->
                            assertThat(((PgProtocolException) e).sqlState()).isEqualTo("08P01"));
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void badStartupLengthAndProtocolAreRejected() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1024));
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.buffer().writeInt(1 << 24)))
                .isInstanceOf(PgProtocolException.class);
        channel.finishAndReleaseAll();
        EmbeddedChannel v2 = new EmbeddedChannel(new PgFrontendDecoder(1024));
        assertThatThrownBy(() -> v2.writeInbound(
                        Unpooled.buffer().writeInt(9).writeInt(2 << 16).writeByte(0)))
                .satisfies(e -> assertThat(((PgProtocolException) e).sqlState()).isEqualTo("0A000"));
        v2.finishAndReleaseAll();
    }

    @Test
    void cancelRequestEndsDecoding() {
        EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1024));
        channel.writeInbound(
                Unpooled.buffer().writeInt(16).writeInt(80877102).writeInt(7).writeInt(99));
        Object cancel = channel.readInbound();
        assertThat(cancel).isEqualTo(new FrontendMessage.CancelRequest(7, 99));
        channel.writeInbound(query("SELECT 1"));
        Object after = channel.readInbound();
        assertThat(after).isNull();
        channel.finishAndReleaseAll();
    }

    private static ByteBuf startup() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(0).writeInt(3 << 16);
        cstring(buf, "user");
        cstring(buf, "u");
        buf.writeByte(0);
        buf.setInt(0, buf.writerIndex());
        return buf;
    }

    private static ByteBuf query(String sql) {
        ByteBuf buf = Unpooled.buffer();
        regular(buf, 'Q', body -> cstring(body, sql));
        return buf;
    }

    private static List<String> drain(EmbeddedChannel channel) {
        List<String> out = new ArrayList<>();
        for (Object m = channel.readInbound(); m != null; m = channel.readInbound()) {
            out.add(describe((FrontendMessage) m));
        }
        return out;
    }

    private static String describe(FrontendMessage m) {
        if (m instanceof FrontendMessage.PasswordMessage p) {
            return "PasswordMessage[" + new String(p.body(), StandardCharsets.UTF_8) + "]";
        } else if (m instanceof FrontendMessage.Parse p) {
            return "Parse " + p.statement() + " " + p.sql() + " " + Arrays.toString(p.parameterTypes());
        } else if (m instanceof FrontendMessage.Bind b) {
            List<String> values = new ArrayList<>();
            b.values().forEach(v -> values.add(v == null ? "null" : Arrays.toString(v)));
            return "Bind " + b.portal() + " " + b.statement() + " " + Arrays.toString(b.parameterFormats()) + " "
                    + values + " " + Arrays.toString(b.resultFormats());
        } else if (m instanceof FrontendMessage.Describe d) {
            return "Describe " + (char) d.kind() + " " + d.name();
        } else if (m instanceof FrontendMessage.Close c) {
            return "Close " + (char) c.kind() + " " + c.name();
        }
        return m.toString().replace("FrontendMessage.", "");
    }

    private static void cstring(ByteBuf buf, String value) {
        buf.writeBytes(value.getBytes(StandardCharsets.UTF_8)).writeByte(0);
    }

    private static void regular(ByteBuf buf, char type, java.util.function.Consumer<ByteBuf> body) {
        buf.writeByte(type);
        int lengthAt = buf.writerIndex();
        buf.writeInt(0);
        body.accept(buf);
        buf.setInt(lengthAt, buf.writerIndex() - lengthAt);
    }
}
