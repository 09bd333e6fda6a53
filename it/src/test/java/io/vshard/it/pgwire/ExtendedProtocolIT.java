package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgUser;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The extended query protocol message by message, as a hand-written client sees it on the wire. */
class ExtendedProtocolIT {

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ProxyFixture(PgProxyConfig.of(
                PgAuthMethod.TRUST, List.of(PgUser.fromPassword(ProxyFixture.USER, ProxyFixture.PASSWORD))));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @Test
    void placeholderUsedTwiceIsBoundTwice() throws Exception {
        try (Wire wire = new Wire()) {
            wire.parse("", "SELECT $1::int + $1::int AS twice, $2::text AS t");
            wire.bind("", "", "21", "x");
            wire.describePortal("");
            wire.execute("", 0);
            wire.sync();
            assertThat(wire.untilReady()).containsExactly("1", "2", "T[twice,t]", "D[42,x]", "C[SELECT 1]", "Z[I]");
        }
    }

    @Test
    void namedPortalWithRowLimitSuspendsAndResumes() throws Exception {
        try (Wire wire = new Wire()) {
            wire.query("BEGIN");
            assertThat(wire.untilReady()).containsExactly("C[BEGIN]", "Z[T]");
            wire.parse("gen", "SELECT g FROM generate_series(1, 5) g");
            wire.describeStatement("gen");
            wire.bind("cur", "gen");
            wire.execute("cur", 2);
            wire.execute("cur", 2);
            wire.execute("cur", 2);
            wire.close('P', "cur");
            wire.close('S', "gen");
            wire.sync();
            assertThat(wire.untilReady())
                    .containsExactly(
                            "1",
                            "t[]",
                            "T[g]",
                            "2",
                            "D[1]",
                            "D[2]",
                            "s",
                            "D[3]",
                            "D[4]",
                            "s",
                            "D[5]",
                            "C[SELECT 5]",
                            "3",
                            "3",
                            "Z[T]");
            wire.query("COMMIT");
            assertThat(wire.untilReady()).containsExactly("C[COMMIT]", "Z[I]");
        }
    }

    @Test
    void errorSkipsToSyncAndTheSessionRecovers() throws Exception {
        try (Wire wire = new Wire()) {
            wire.parse("", "SELECT 1/$1::int");
            wire.bind("", "", "0");
            wire.execute("", 0);
            wire.parse("", "SELECT 'never'");
            wire.bind("", "");
            wire.execute("", 0);
            wire.sync();
            List<String> answer = wire.untilReady();
            assertThat(answer).hasSize(4).startsWith("1", "2").endsWith("Z[I]");
            assertThat(answer.get(2)).startsWith("E[").contains("C22012");
            wire.parse("dup", "SELECT 1");
            wire.parse("dup", "SELECT 2");
            wire.sync();
            List<String> duplicate = wire.untilReady();
            assertThat(duplicate.get(1)).contains("C42P05");
            wire.bind("", "dup");
            wire.execute("", 0);
            wire.sync();
            assertThat(wire.untilReady()).containsExactly("2", "D[1]", "C[SELECT 1]", "Z[I]");
        }
    }

    @Test
    void emptyQueryAndMultiStatementSimpleQuery() throws Exception {
        try (Wire wire = new Wire()) {
            wire.query("  ");
            assertThat(wire.untilReady()).containsExactly("I", "Z[I]");
            wire.query("CREATE TEMP TABLE t (a int); INSERT INTO t VALUES (1), (2); UPDATE t SET a = a + 1;"
                    + " SELECT a FROM t ORDER BY a; DELETE FROM t");
            assertThat(wire.untilReady())
                    .containsExactly(
                            "C[CREATE TABLE]",
                            "C[INSERT 0 2]",
                            "C[UPDATE 2]",
                            "T[a]",
                            "D[2]",
                            "D[3]",
                            "C[SELECT 2]",
                            "C[DELETE 2]",
                            "Z[I]");
            wire.query("BEGIN; SELECT 1/0; SELECT 1");
            List<String> failed = wire.untilReady();
            assertThat(failed).startsWith("C[BEGIN]").endsWith("Z[E]");
            wire.query("SELECT 1");
            assertThat(wire.untilReady().get(0)).contains("C25P02");
            wire.query("ROLLBACK");
            assertThat(wire.untilReady()).containsExactly("C[ROLLBACK]", "Z[I]");
        }
    }

    /** A minimal text-format frontend over a socket. */
    private static final class Wire implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;

        Wire() throws IOException {
            socket = new Socket("127.0.0.1", fixture.port);
            socket.setSoTimeout(20_000);
            in = new DataInputStream(socket.getInputStream());
            ByteBuf startup = Unpooled.buffer();
            startup.writeInt(0).writeInt(3 << 16);
            cstring(startup, "user");
            cstring(startup, ProxyFixture.USER);
            startup.writeByte(0);
            startup.setInt(0, startup.writerIndex());
            send(startup);
            List<String> hello = untilReady();
            assertThat(hello).startsWith("R").endsWith("Z[I]");
        }

        void query(String sql) throws IOException {
            send(frame('Q', b -> cstring(b, sql)));
        }

        void parse(String name, String sql) throws IOException {
            send(frame('P', b -> {
                cstring(b, name);
                cstring(b, sql);
                b.writeShort(0);
            }));
        }

        void bind(String portal, String statement, String... values) throws IOException {
            send(frame('B', b -> {
                cstring(b, portal);
                cstring(b, statement);
                b.writeShort(0);
                b.writeShort(values.length);
                for (String v : values) {
                    byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
                    b.writeInt(bytes.length).writeBytes(bytes);
                }
                b.writeShort(0);
            }));
        }

        void describePortal(String name) throws IOException {
            send(frame('D', b -> {
                b.writeByte('P');
                cstring(b, name);
            }));
        }

        void describeStatement(String name) throws IOException {
            send(frame('D', b -> {
                b.writeByte('S');
                cstring(b, name);
            }));
        }

        void execute(String portal, int maxRows) throws IOException {
            send(frame('E', b -> {
                cstring(b, portal);
                b.writeInt(maxRows);
            }));
        }

        void close(char kind, String name) throws IOException {
            send(frame('C', b -> {
                b.writeByte(kind);
                cstring(b, name);
            }));
        }

        void sync() throws IOException {
            send(frame('S', b -> {}));
        }

        /** Reads messages up to ReadyForQuery, each summarised as a short string. */
        List<String> untilReady() throws IOException {
            List<String> out = new ArrayList<>();
            while (true) {
                char type = (char) in.readUnsignedByte();
                byte[] body = new byte[in.readInt() - 4];
                in.readFully(body);
                ByteBuf b = Unpooled.wrappedBuffer(body);
                switch (type) {
                    case 'T' -> {
                        List<String> names = new ArrayList<>();
                        for (int i = b.readShort(); i > 0; i--) {
                            names.add(readCString(b));
                            b.skipBytes(18);
                        }
                        out.add("T[" + String.join(",", names) + "]");
                    }
                    case 'D' -> {
                        List<String> values = new ArrayList<>();
                        for (int i = b.readShort(); i > 0; i--) {
                            int len = b.readInt();
                            values.add(
                                    len < 0
                                            ? "null"
                                            : b.readCharSequence(len, StandardCharsets.UTF_8)
                                                    .toString());
                        }
                        out.add("D[" + String.join(",", values) + "]");
                    }
                    case 'C' -> out.add("C[" + readCString(b) + "]");
                    case 'E', 'N' ->
                        out.add(type + "[" + new String(body, StandardCharsets.UTF_8).replace('\0', '|') + "]");
                    case 'Z' -> out.add("Z[" + (char) b.readByte() + "]");
                    case 't' -> out.add(b.readShort() == 0 ? "t[]" : "t[...]");
                    case 'S', 'K' -> {
                        // ParameterStatus and BackendKeyData are not part of the assertions.
                    }
                    default -> out.add(String.valueOf(type));
                }
                if (type == 'Z') {
                    return out;
                }
            }
        }

        private void send(ByteBuf buf) throws IOException {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            socket.getOutputStream().write(bytes);
        }

        @Override
        public void close() throws IOException {
            send(frame('X', b -> {}));
            socket.close();
        }
    }

    private static ByteBuf frame(char type, Consumer<ByteBuf> body) {
        ByteBuf out = Unpooled.buffer();
        out.writeByte(type).writeInt(0);
        body.accept(out);
        out.setInt(1, out.writerIndex() - 1);
        return out;
    }

    private static void cstring(ByteBuf out, String value) {
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8)).writeByte(0);
    }

    private static String readCString(ByteBuf b) {
        int end = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) 0);
        String s = b.toString(b.readerIndex(), end - b.readerIndex(), StandardCharsets.UTF_8);
        b.readerIndex(end + 1);
        return s;
    }
}
