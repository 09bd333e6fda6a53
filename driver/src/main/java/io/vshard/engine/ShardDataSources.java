package io.vshard.engine;

import io.vshard.config.DataSourceConfig;
import io.vshard.config.Dialect;
import io.vshard.config.VShardConfig;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.ShardLocation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools of every configured data source, each created on first use and bounded by the data source's
 * {@code max_pool_size}; and the creation of the schemas (or MySQL databases) that hold logical shards.
 * Thread safe.
 */
public final class ShardDataSources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardDataSources.class);
    private final VShardConfig config;
    private final long connectTimeoutMillis;
    private final Map<String, DataSourcePool> pools = new ConcurrentHashMap<>();
    private final RouteMetrics metrics = new RouteMetrics();

    /**
     * Creates the (still empty) set of pools.
     *
     * @param config the configuration naming the data sources
     * @param connectTimeoutMillis how long to wait for a connection before failing with 08006
     */
    public ShardDataSources(VShardConfig config, long connectTimeoutMillis) {
        this.config = config;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** Returns to their pools the leases that sessions have kept parked for at least {@code idleNanos}. */
    void reclaimIdle(long idleNanos) {
        for (DataSourcePool p : pools.values()) {
            p.reclaimParked(Integer.MAX_VALUE, idleNanos);
        }
    }

    /** The routing counters of the engine these data sources serve. */
    public RouteMetrics metrics() {
        return metrics;
    }

    DataSourcePool pool(String name) {
        // Looked up first: every statement asks, and computeIfAbsent's lambda captures this (an object per call).
        DataSourcePool p = pools.get(name);
        return p != null
                ? p
                : pools.computeIfAbsent(
                        name, n -> new DataSourcePool(config.dataSource(n), connectTimeoutMillis, metrics));
    }

    /** The dialect of a data source. */
    public Dialect dialect(String dataSource) {
        return config.dataSource(dataSource).dialect();
    }

    /**
     * Creates every missing physical PostgreSQL database named by a data source URL, then every missing
     * schema (or MySQL database) of {@code locations}.
     *
     * @return the locations' schemas that were created or already existed, as {@code source/schema}
     * @throws SQLException with the backend's SQLSTATE, or 08006 naming the data source
     */
    public Set<String> createSchemas(Collection<ShardLocation> locations) throws SQLException {
        for (DataSourceConfig ds : config.dataSources().values()) {
            if (ds.dialect() == Dialect.POSTGRESQL) {
                createPostgresDatabase(ds);
            }
        }
        Set<String> done = new LinkedHashSet<>();
        for (ShardLocation loc : new LinkedHashSet<>(locations)) {
            DataSourcePool pool = pool(loc.dataSource());
            Dialect d = pool.dialect();
            String ddl = (d.shardIsCatalog() ? "CREATE DATABASE IF NOT EXISTS " : "CREATE SCHEMA IF NOT EXISTS ")
                    + d.quote(loc.schema());
            try (Connection c = pool.connection();
                    Statement st = c.createStatement()) {
                st.execute(ddl);
            } catch (SQLException e) {
                if (!createdMeanwhile(e)) {
                    throw ShardErrors.translate(e, loc.toString());
                }
            }
            done.add(loc.toString());
        }
        return done;
    }

    /**
     * Whether {@code e} says another router created the schema between this one's check and its create: two
     * PostgreSQL sessions running {@code CREATE SCHEMA IF NOT EXISTS} at once can both find it missing, and
     * the second then fails on the catalog's unique index (23505) or as a duplicate schema (42P06).
     */
    static boolean createdMeanwhile(SQLException e) {
        return "23505".equals(e.getSQLState()) || "42P06".equals(e.getSQLState());
    }

    /** Connects to the {@code postgres} maintenance database to create the URL's database if missing. */
    private void createPostgresDatabase(DataSourceConfig ds) throws SQLException {
        String url = ds.url();
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        if (slash < 0) {
            return;
        }
        int end = url.indexOf('?', slash);
        String db = end < 0 ? url.substring(slash + 1) : url.substring(slash + 1, end);
        if (db.isEmpty() || db.equals("postgres")) {
            return;
        }
        String admin = url.substring(0, slash + 1) + "postgres" + (end < 0 ? "" : url.substring(end));
        Properties p = new Properties();
        if (ds.user() != null) {
            p.setProperty("user", ds.user());
        }
        if (ds.password() != null) {
            p.setProperty("password", ds.password());
        }
        p.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeoutMillis / 1000)));
        try (Connection c = DriverManager.getConnection(admin, p);
                var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            boolean exists;
            try (var rs = ps.executeQuery()) {
                exists = rs.next();
            }
            if (!exists) {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + Dialect.POSTGRESQL.quote(db));
                }
                LOG.info("vshard-{}: created database {}", ds.name(), db);
            }
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                return;
            }
            throw ShardErrors.translate(e, ds.name());
        }
    }

    @Override
    public void close() {
        pools.values().forEach(DataSourcePool::close);
        pools.clear();
    }

    /** Fails with 08006 if {@code ds} is not configured. */
    static SQLException unknown(String ds) {
        return VShardSQLException.of(VShardState.SHARD_UNREACHABLE, null, ds, "no such data source is configured");
    }
}
