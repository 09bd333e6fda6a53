package io.vshard.demo;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * Lets an embedded H2 database of the demo keep more changed pages in memory before it writes them out.
 *
 * <p>H2's MVStore writes every changed page whole, and it writes as soon as its estimate of the unsaved pages
 * passes a threshold of 19 MB (H2 2.3: {@code autoCommitBufferSize}, which H2 itself sets when it opens a file
 * database and no URL setting reaches), whatever {@code WRITE_DELAY} says. The migration inserts into 128 shard
 * tables at once, so between two writes each leaf page takes a few rows and is then serialized again: H2's
 * serialization thread was a fifth of the demo's CPU (BENCHMARKS.md, "The demo"). A larger threshold lets a page
 * take more rows per write. Nothing is less durable than {@code WRITE_DELAY} already makes it: H2 still writes
 * every {@code WRITE_DELAY} ms, and the demo's data directory is scratch.
 *
 * <p>The threshold is a private final field of H2's {@link MVStore}, so it is set by reflection; should an H2
 * version lack it, the demo runs with H2's own threshold and says so.
 */
final class H2WriteBuffer {
    /** H2's own threshold. */
    static final int H2_DEFAULT_BYTES = 19 << 20;

    private H2WriteBuffer() {}

    /**
     * The threshold for one of the demo's four shard databases: 128 MB, but at most a 32nd of the heap, so the four
     * together keep at most an eighth of it unsaved.
     */
    static int bytes(long maxHeap) {
        return (int) Math.max(H2_DEFAULT_BYTES, Math.min(128L << 20, maxHeap / 32));
    }

    /**
     * Raises the threshold of the open embedded database at {@code url} (kept open by {@code DB_CLOSE_DELAY=-1})
     * to {@code bytes}; returns false, changing nothing, when this H2 has no such field.
     */
    static boolean raise(String url, String user, String password, int bytes) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
            MVStore store = session.getDatabase().getStore().getMvStore();
            Field f = MVStore.class.getDeclaredField("autoCommitMemory");
            f.setAccessible(true);
            f.setInt(store, bytes);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
