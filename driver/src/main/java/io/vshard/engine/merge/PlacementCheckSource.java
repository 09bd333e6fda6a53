package io.vshard.engine.merge;

import io.vshard.manifest.ShardLocation;
import io.vshard.sql.PlacementFilter;
import java.sql.SQLException;

/**
 * The rows of one shard's result that the placement function says live at that shard now: during a
 * migration it drops the copies a fan-out read must not see (a row copied ahead of its cohort's flip, or left
 * at its old place after it). Streams; not thread safe.
 */
public final class PlacementCheckSource implements RowSource {
    private final RowSource in;
    private final PlacementFilter filter;
    private final ShardLocation location;

    /**
     * Checks the rows of {@code in}, read at {@code location}.
     *
     * @param filter the check, its column positions absolute
     */
    public PlacementCheckSource(RowSource in, PlacementFilter filter, ShardLocation location) {
        this.in = in;
        this.filter = filter;
        this.location = location;
    }

    @Override
    public Object[] next() throws SQLException {
        for (Object[] row = in.next(); row != null; row = in.next()) {
            if (filter.keeps(row, location)) {
                return row;
            }
        }
        return null;
    }

    @Override
    public void close() throws SQLException {
        in.close();
    }
}
