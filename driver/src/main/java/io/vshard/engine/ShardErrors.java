package io.vshard.engine;

import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Turns backend failures into what the application sees: connection loss as 08006 naming the shard. */
final class ShardErrors {
    private ShardErrors() {}

    /**
     * Keeps a backend error's SQLSTATE, except that a lost or refused connection becomes 08006 naming
     * {@code shard}, so the application knows which shard failed.
     */
    static SQLException translate(SQLException e, String shard) {
        if (isConnectionLoss(e)) {
            return VShardSQLException.of(VShardState.SHARD_UNREACHABLE, e, shard, rootMessage(e));
        }
        return e;
    }

    static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || (state != null && state.startsWith("08"))
                || (state == null && e.getCause() instanceof java.io.IOException);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
