package io.vshard.migrate;

import io.vshard.config.Dialect;
import io.vshard.config.VShardConfig;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    private final ParallelSources parallel;

    ShardIndexes(ShardLinks links, VShardConfig config, List<TableRule> tables, ParallelSources parallel) {
        this.parallel = parallel;
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

    /**
     * Ensures the indexes at {@code locations}: per data source, the ones already there are found in one catalog
     * query (PostgreSQL) and only the missing ones are built; the data sources are worked side by side (an index
     * build waits only for transactions of its own database).
     */
    void ensure(Collection<ShardLocation> locations) throws SQLException {
        Map<String, List<ShardLocation>> bySource = new LinkedHashMap<>();
        for (ShardLocation l : locations) {
            if (!done.contains(l)) {
                bySource.computeIfAbsent(l.dataSource(), d -> new ArrayList<>()).add(l);
            }
        }
        if (bySource.isEmpty()) {
            return;
        }
        long startedAt = System.nanoTime();
        Map<String, Integer> built =
                parallel.run(new ArrayList<>(bySource.keySet()), ds -> ensure(ds, bySource.get(ds)));
        int n = 0;
        for (Map.Entry<String, List<ShardLocation>> e : bySource.entrySet()) {
            done.addAll(e.getValue());
            n += built.get(e.getKey());
        }
        LOG.debug(
                "vshard migrator: creator indexes at {} locations checked, {} built, in {} ms",
                locations.size(),
                n,
                (System.nanoTime() - startedAt) / 1_000_000L);
    }

    /** Ensures the indexes at {@code locs} of one data source; returns how many it built. */
    private int ensure(String dataSource, List<ShardLocation> locs) throws SQLException {
        Dialect dialect = config.dataSource(dataSource).dialect();
        Set<String> present = dialect == Dialect.POSTGRESQL ? present(dataSource) : Set.of();
        int built = 0;
        for (ShardLocation l : locs) {
            for (TableRule t : tables) {
                if (t.creatorColumn().equalsIgnoreCase(t.primaryKey())
                        || present.contains(l.schema().toLowerCase(Locale.ROOT) + "." + name(t))) {
                    continue;
                }
                create(l, t, dialect);
                built++;
            }
        }
        return built;
    }

    /**
     * The {@code schema.index} names of vshard's creator indexes in one PostgreSQL database that are valid (a
     * build cut short leaves an invalid index, which {@code CREATE INDEX IF NOT EXISTS} would keep: such a one is
     * left to {@link #create}, as before).
     */
    private Set<String> present(String dataSource) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement st = links.get(dataSource, ShardLinks.WRITE).createStatement();
                ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_index i"
                        + " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE i.indisvalid AND c.relname LIKE 'vshard\\_%'")) {
            while (rs.next()) {
                out.add(rs.getString(1).toLowerCase(Locale.ROOT) + "."
                        + rs.getString(2).toLowerCase(Locale.ROOT));
            }
        }
        return out;
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
