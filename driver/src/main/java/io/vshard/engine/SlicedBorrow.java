package io.vshard.engine;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;

/**
 * How every pool of vshard (the shard pools and the control store's) borrows from HikariCP.
 *
 * <p>HikariCP asks its creator thread for a new connection only when a borrower starts waiting, and the creator
 * stops while the pool holds as many idle connections as it has waiters. A connection just added for another
 * waiter counts as idle until that waiter takes it, so a borrower can be left waiting with the pool below its
 * maximum and nobody creating (seen in CI as "total=3, active=3, waiting=0" on a pool of 4). Borrowing in short
 * slices asks again each time; a real failure to connect still ends at the timeout.
 */
public final class SlicedBorrow {
    static final long SLICE_MILLIS = 250;

    private SlicedBorrow() {}

    /**
     * A connection from {@code pool} (whose pool proper is {@code hikari}) within {@code timeoutMillis}.
     *
     * @throws SQLTransientConnectionException as HikariCP's, when none came within the timeout
     */
    public static Connection connection(HikariPool hikari, HikariDataSource pool, long timeoutMillis)
            throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                return hikari.getConnection(Math.max(1, Math.min(left, SLICE_MILLIS)));
            } catch (SQLTransientConnectionException e) {
                if (left <= SLICE_MILLIS || pool.isClosed()) {
                    throw e;
                }
            }
        }
    }
}
