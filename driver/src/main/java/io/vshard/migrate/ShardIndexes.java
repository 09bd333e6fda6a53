package io.vshard.migrate;

import io.vshard.config.Dialect;
import io.vshard.config.VShardConfig;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure every sharded table has an index on its creator column at every location the migration reads, so
 * the copy, the catch-up and the digest checks read a cohort's creators by index instead of scanning each
 * shard table. Tables whose primary key is the creator column need none. Each location is checked once per
 * migrator; on PostgreSQL the index is built {@code CONCURRENTLY}, so application writes go on meanwhile.
 */
final class ShardIndexes {
    private static final Logger LOG = LoggerFactory.getLogger(ShardIndexes.class);
    /** The MySQL error for an index name that already exists (MySQL has no CREATE INDEX IF NOT EXISTS). */
    private static final int DUPLICATE_KEY_NAME = 1061;

    private final ShardLinks links;
    private final VShardConfig config;
    private final List<TableRule> tables;
    private final Set<ShardLocation> done = new HashSet<>();

    ShardIndexes(ShardLinks links, VShardConfig config, List<TableRule> tables) {
        this.links = links;
        this.config = config;
        this.tables = List.copyOf(tables);
    }

    /** Ensures the indexes at every location of both versions of {@code state}. */
    void ensure(RoutingState state) throws SQLException {
        Set<ShardLocation> all = new LinkedHashSet<>();
        for (LogicalShard s : Placement.allShards(state)) {
            all.add(s.location());
        }
        ensure(all);
    }

    void ensure(Collection<ShardLocation> locations) throws SQLException {
        for (ShardLocation l : locations) {
            if (done.contains(l)) {
                continue;
            }
            Dialect dialect = config.dataSource(l.dataSource()).dialect();
            for (TableRule t : tables) {
                if (t.creatorColumn().equalsIgnoreCase(t.primaryKey())) {
                    continue;
                }
                create(l, t, dialect);
            }
            done.add(l);
        }
    }

    static String name(TableRule t) {
        return "vshard_" + t.name() + "_" + t.creatorColumn();
    }

    private void create(ShardLocation l, TableRule t, Dialect dialect) throws SQLException {
        String table = TableRows.qualified(l, t);
        String sql =
                switch (dialect) {
                    case POSTGRESQL ->
                        "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + name(t) + " ON " + table + " (" + t.creatorColumn()
                                + ")";
                    case MYSQL -> "CREATE INDEX " + name(t) + " ON " + table + " (" + t.creatorColumn() + ")";
                    case H2 ->
                        "CREATE INDEX IF NOT EXISTS " + l.schema() + "." + name(t) + " ON " + table + " ("
                                + t.creatorColumn() + ")";
                };
        try (Statement st = links.get(l.dataSource(), ShardLinks.WRITE).createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            if (dialect == Dialect.MYSQL && e.getErrorCode() == DUPLICATE_KEY_NAME) {
                return;
            }
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.equals("42P01") || state.startsWith("42S0") || state.equals("3F000")) {
                // The table does not exist at this location (yet): nothing to read there, nothing to index.
                LOG.debug("vshard migrator: no {} at {}: {}", t.name(), l, e.getMessage());
                return;
            }
            throw e;
        }
    }
}
