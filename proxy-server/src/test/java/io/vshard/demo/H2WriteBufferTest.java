package io.vshard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's H2 write buffer reaches the open database's MVStore (and the H2 in use still has the field). */
class H2WriteBufferTest {
    @TempDir
    Path dir;

    @Test
    void raisesTheThresholdOfTheOpenDatabase() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db") + DemoFleet.H2_OPTIONS + DemoFleet.KEEP_OPEN;
        try (Connection held = DriverManager.getConnection(url, "sa", "")) {
            assertThat(store(held).getAutoCommitMemory()).isEqualTo(H2WriteBuffer.H2_DEFAULT_BYTES);
            assertThat(H2WriteBuffer.raise(url, "sa", "", 64 << 20)).isTrue();
            assertThat(store(held).getAutoCommitMemory()).isEqualTo(64 << 20);
            try (Statement st = held.createStatement()) {
                st.execute("SHUTDOWN");
            }
        }
    }

    @Test
    void theThresholdFollowsTheHeap() {
        assertThat(H2WriteBuffer.bytes(4L << 30)).isEqualTo(128 << 20);
        assertThat(H2WriteBuffer.bytes(1L << 30)).isEqualTo(32 << 20);
        assertThat(H2WriteBuffer.bytes(256L << 20)).isEqualTo(H2WriteBuffer.H2_DEFAULT_BYTES);
    }

    private static MVStore store(Connection c) throws Exception {
        return ((SessionLocal) c.unwrap(JdbcConnection.class).getSession())
                .getDatabase()
                .getStore()
                .getMvStore();
    }
}
