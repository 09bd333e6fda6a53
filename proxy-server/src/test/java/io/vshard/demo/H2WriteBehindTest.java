package io.vshard.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.cache.CacheLongKeyLIRS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2WriteBehindTest {
    @TempDir
    Path dir;

    @Test
    void raisesTheThresholdOfTheOpenDatabaseAndKeepsItsRows() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db") + DemoFleet.H2_OPTIONS + DemoFleet.KEEP_OPEN;
        long h2Default;
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            h2Default = threshold(c);
        }
        assertEquals(h2Default, H2WriteBehind.apply(url, "sa", "", 1024), "never below H2's own threshold");
        assertEquals(256L << 20, H2WriteBehind.apply(url, "sa", "", 256L << 20));
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement st = c.createStatement()) {
            assertEquals(256L << 20, threshold(c), "the database stayed open with the new threshold");
            assertEquals(
                    H2WriteBehind.TOC_CACHE_BYTES,
                    tocCacheBytes(c),
                    "chunk tables of contents stay cached however large the chunks the threshold makes");
            assertEquals(
                    H2WriteBehind.MAX_UNSAVED_BYTES,
                    H2WriteBehind.apply(url, "sa", "", 4L << 30),
                    "capped where H2's int arithmetic on the threshold would overflow");
            st.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(20))");
            st.execute("INSERT INTO t SELECT \"X\", 'row ' || \"X\" FROM SYSTEM_RANGE(1, 20000)");
            st.execute("SHUTDOWN");
        }
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(id) FROM t")) {
            rs.next();
            assertEquals(20000, rs.getLong(1), "the rows held in memory were written at SHUTDOWN");
            assertEquals(20000L * 20001 / 2, rs.getLong(2));
            assertEquals(h2Default, threshold(c), "a reopened database has H2's own threshold again");
            st.execute("SHUTDOWN");
        }
    }

    private static long threshold(Connection c) throws Exception {
        return store(c).getAutoCommitMemory();
    }

    private static long tocCacheBytes(Connection c) throws Exception {
        Field toc = FileStore.class.getDeclaredField("chunksToC");
        toc.setAccessible(true);
        return ((CacheLongKeyLIRS<?>) toc.get(store(c).getFileStore())).getMaxMemory();
    }

    private static MVStore store(Connection c) throws Exception {
        return ((SessionLocal) c.unwrap(JdbcConnection.class).getSession())
                .getDatabase()
                .getStore()
                .getMvStore();
    }
}
