package io.vshard.jdbc;

import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * A savepoint set through {@link VShardConnection#setSavepoint()} (numbered, named {@code vshard_savepoint_<id>} on
 * the shards) or {@link VShardConnection#setSavepoint(String)} (named).
 */
final class VShardSavepoint implements Savepoint {
    private final int id;
    private final String name;
    private final VShardConnection connection;

    VShardSavepoint(int id, String name, VShardConnection connection) {
        this.id = id;
        this.name = name;
        this.connection = connection;
    }

    /** The name the shards know it by. */
    String shardName() {
        return name != null ? name : "vshard_savepoint_" + id;
    }

    boolean of(VShardConnection c) {
        return connection == c;
    }

    @Override
    public int getSavepointId() throws SQLException {
        if (name != null) {
            throw VShardSQLException.of(
                    VShardState.INVALID_USE, null, "savepoint '" + name + "' is named, not numbered");
        }
        return id;
    }

    @Override
    public String getSavepointName() throws SQLException {
        if (name == null) {
            throw VShardSQLException.of(VShardState.INVALID_USE, null, "savepoint " + id + " is numbered, not named");
        }
        return name;
    }

    @Override
    public String toString() {
        return shardName();
    }
}
