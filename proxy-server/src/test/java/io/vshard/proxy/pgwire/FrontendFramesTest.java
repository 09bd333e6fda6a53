package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import io.vshard.config.DataSourceConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the proxy sends a backend reads back, through the proxy's own decoder, as what the client sent. */
class FrontendFramesTest {

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void reEncodedMessagesDecodeToTheSameMessages() {
        FrontendMessage.Bind bind = new FrontendMessage.Bind(
                "", "S_1", new short[] {1, 0}, Arrays.asList(new byte[] {0, 0, 0, 42}, null), new short[] {1});
        ByteBuf out = Unpooled.buffer();
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("user", "postgres");
        startup.put("database", "db ü");
        FrontendFrames.startup(out, startup);
        FrontendFrames.query(out, "SELECT 'ü'");
        FrontendFrames.close(out, (byte) 'S', "S_1");
        FrontendFrames.parse(out, "S_1", "SELECT $1, $2", new int[] {23, 0});
        FrontendFrames.bind(out, bind);
        FrontendFrames.describe(out, (byte) 'P', "");
        FrontendFrames.execute(out, "", 0);
        FrontendFrames.sync(out);
        FrontendFrames.terminate(out);

        EmbeddedChannel channel = new EmbeddedChannel(new PgFrontendDecoder(1 << 20));
        channel.writeInbound(out);
        List<Object> read = new ArrayList<>();
        for (Object m = channel.readInbound(); m != null; m = channel.readInbound()) {
            read.add(m);
        }
        assertThat(read).hasSize(9);
        assertThat(read.get(0)).isEqualTo(new FrontendMessage.Startup(196608, startup));
        assertThat(read.get(1)).isEqualTo(new FrontendMessage.Query("SELECT 'ü'"));
        assertThat(read.get(2)).isEqualTo(new FrontendMessage.Close((byte) 'S', "S_1"));
        FrontendMessage.Parse parse = (FrontendMessage.Parse) read.get(3);
        assertThat(parse.sql()).isEqualTo("SELECT $1, $2");
        assertThat(parse.parameterTypes()).containsExactly(23, 0);
        FrontendMessage.Bind back = (FrontendMessage.Bind) read.get(4);
        assertThat(back.statement()).isEqualTo("S_1");
        assertThat(back.parameterFormats()).containsExactly(1, 0);
        assertThat(back.values().get(0)).containsExactly(0, 0, 0, 42);
        assertThat(back.values().get(1)).isNull();
        assertThat(back.resultFormats()).containsExactly(1);
        assertThat(read.get(5)).isEqualTo(new FrontendMessage.Describe((byte) 'P', ""));
        assertThat(read.get(6)).isEqualTo(new FrontendMessage.Execute("", 0));
        assertThat(read.get(7)).isInstanceOf(FrontendMessage.Sync.class);
        assertThat(read.get(8)).isInstanceOf(FrontendMessage.Terminate.class);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void backendAddressesComeFromPlainPgjdbcUrlsOnly() {
        assertThat(BackendAddress.of(source("jdbc:postgresql://db1:6543/shop?ApplicationName=x", "app", "pw")))
                .isEqualTo(new BackendAddress("db1", 6543, null, "shop", "app", "pw"));
        assertThat(BackendAddress.of(source("jdbc:postgresql://127.0.0.1/shop?user=u&password=p%20w", null, null)))
                .isEqualTo(new BackendAddress("127.0.0.1", 5432, null, "shop", "u", "p w"));
        assertThat(BackendAddress.of(source("jdbc:postgresql://a:1,b:2/shop", "u", null)))
                .as("several hosts")
                .isNull();
        assertThat(BackendAddress.of(source("jdbc:postgresql://a/shop?sslmode=require", "u", null)))
                .as("TLS")
                .isNull();
        assertThat(BackendAddress.of(source("jdbc:h2:mem:x", "u", null))).isNull();
    }

    @Test
    void unixSocketNamesTheSocketFileOrItsDirectory() {
        assertThat(BackendAddress.of(source(
                                "jdbc:postgresql://127.0.0.1:5432/shop?unixSocket=/var/run/postgresql/.s.PGSQL.5432",
                                "u",
                                null))
                        .socket())
                .isEqualTo("/var/run/postgresql/.s.PGSQL.5432");
        assertThat(BackendAddress.of(source("jdbc:postgresql://localhost:6543/shop?unixSocket=/tmp/", "u", null))
                        .socket())
                .as("a directory, as libpq's host: the file name comes from the port")
                .isEqualTo("/tmp/.s.PGSQL.6543");
        assertThat(BackendAddress.of(source("jdbc:postgresql://localhost/shop?unixSocket=%2Frun%2Fpg", "u", null))
                        .socket())
                .isEqualTo("/run/pg/.s.PGSQL.5432");
    }

    private static DataSourceConfig source(String url, String user, String password) {
        return new DataSourceConfig("ds", url, user, password, 4);
    }
}
