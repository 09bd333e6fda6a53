package io.vshard.engine;

import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.sql.SQLException;

/** Taking pool permits, bounded by the connect timeout, with the 08006 error naming what waited. */
final class Permits {
    private Permits() {}

    static void take(DataSourcePool pool, int n, String where) throws SQLException {
        try {
            if (!pool.acquire(n)) {
                throw VShardSQLException.of(
                        VShardState.SHARD_UNREACHABLE,
                        null,
                        where,
                        "no " + (n == 1 ? "connection" : n + " connections") + " of data source '"
                                + pool.config().name() + "' (max_pool_size " + pool.size()
                                + ") became free within the connect timeout");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw VShardSQLException.of(VShardState.CANCELLED, e, "interrupted while waiting for a connection");
        }
    }
}
