package io.vshard.demo;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.cache.CacheLongKeyLIRS;

/**
 * Lets an embedded shard database keep its changed pages in memory for longer before H2 writes them to its file.
 *
 * <p>Why: H2's store writes every changed page whole once 19 MB of page copies are unsaved (a fixed threshold no
 * URL setting reaches). The demo's copy inserts rows all over 128 shard tables, so each write rewrote nearly
 * every page of those tables for a couple of thousand new rows: profiled as a quarter of the demo's CPU (H2's
 * serialization threads) and 2.6 GB written for 2.2 million rows. With the threshold a share of the heap, and
 * {@code WRITE_DELAY} long, the pages are written a few times per run instead (0.4 GB).
 *
 * <p>A written chunk of pages then holds more pages, and H2 reads a chunk's table of contents each time one of
 * its pages is dropped (the drain's TRUNCATE drops them all) unless that table is in a 1 MB cache, which holds
 * none larger than 64 KB: without a larger cache the drain took 36 s instead of 3. So the cache grows too.
 *
 * <p>Both settings are private to H2 2.3's store and set by reflection; on an H2 whose store differs the demo
 * runs with H2's defaults, only slower. The data directory is scratch: a crash loses what was not written.
 */
final class H2WriteBehind {
    /**
     * The highest threshold H2's arithmetic takes: it compares {@code 4 * threshold} and {@code 3 * threshold} in
     * {@code int}, and above this they overflow, which made every commit write the store (measured: the demo's
     * live writers spent their time writing pages, and the run took 368 s instead of 182).
     */
    static final int MAX_UNSAVED_BYTES = Integer.MAX_VALUE / 4;
    /** The table-of-contents cache: each entry is 8 bytes per page of a chunk. */
    static final long TOC_CACHE_BYTES = 256L << 20;

    private H2WriteBehind() {}

    /**
     * Opens the embedded database at {@code url} (kept open by its {@code DB_CLOSE_DELAY}) and raises its store's
     * unsaved-memory threshold to {@code unsavedBytes} (never below H2's own, never above {@link
     * #MAX_UNSAVED_BYTES}) and its table-of-contents cache.
     * Returns the threshold in force afterwards, or -1 when this H2's store could not be reached.
     */
    static long apply(String url, String user, String password, long unsavedBytes) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession())
                    .getDatabase()
                    .getStore()
                    .getMvStore();
            Field threshold = MVStore.class.getDeclaredField("autoCommitMemory");
            Field toc = FileStore.class.getDeclaredField("chunksToC");
            threshold.setAccessible(true);
            toc.setAccessible(true);
            // The cache first: a larger threshold without it would slow the drain instead (see above).
            CacheLongKeyLIRS<?> cache = (CacheLongKeyLIRS<?>) toc.get(store.getFileStore());
            cache.setMaxMemory(Math.max(cache.getMaxMemory(), TOC_CACHE_BYTES));
            int wanted = (int) Math.min(MAX_UNSAVED_BYTES, unsavedBytes);
            if (wanted > threshold.getInt(store)) {
                threshold.setInt(store, wanted);
            }
            return store.getAutoCommitMemory();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The unsaved-memory threshold for each of {@code databases} shard databases of this JVM: together half the
     * heap (the counter adds up page copies, several per page kept, so the pages held are fewer).
     */
    static long unsavedBytes(int databases) {
        return Runtime.getRuntime().maxMemory() / (2L * Math.max(1, databases));
    }
}
