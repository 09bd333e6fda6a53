package io.vshard.migrate;

import io.vshard.config.DataSourceConfig;
import io.vshard.config.VShardConfig;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The migrator's own connections, one per (data source, role), separate from the routers' pools so copying
 * never starves application traffic. Statements name tables schema-qualified, so one connection serves every
 * schema of a data source. Used by the migrator's thread; {@link #reset()} may come from any thread (a simulated crash).
 */
final class ShardLinks implements AutoCloseable {
    /** Reads source rows. */
    static final int READ = 0;
    /** Writes target rows. */
    static final int WRITE = 1;

    private final VShardConfig config;
    private static final long VALID_FOR_NANOS = 1_000_000_000L;
    private final Map<String, Connection> open = new ConcurrentHashMap<>();
    private final Map<String, Long> validAt = new ConcurrentHashMap<>();

    private final boolean oneRole;
    private volatile boolean closed;

    ShardLinks(VShardConfig config) {
        this(config, false);
    }

    /**
     * With {@code oneRole}, one connection per data source serves both roles: for a worker that reads a whole
     * batch into memory before it writes, so it never has a read open while it writes (half the connections).
     */
    ShardLinks(VShardConfig config, boolean oneRole) {
        this.config = config;
        this.oneRole = oneRole;
    }

    /** Whether every configured data source is PostgreSQL. */
    boolean allPostgres() {
        for (io.vshard.config.DataSourceConfig ds : config.dataSources().values()) {
            if (ds.dialect() != io.vshard.config.Dialect.POSTGRESQL) {
                return false;
            }
        }
        return true;
    }

    /** The configured dialect of {@code dataSource}. */
    io.vshard.config.Dialect dialect(String dataSource) {
        return config.dataSource(dataSource).dialect();
    }

    /** An auto-commit connection to {@code dataSource} for {@code role}, opened on first use. */
    Connection get(String dataSource, int role) throws SQLException {
        if (closed) {
            throw new SQLException("the migrator's connections are closed (it stopped)", "08003");
        }
        String key = dataSource + "#" + (oneRole ? READ : role);
        Connection c = open.get(key);
        if (c != null && !c.isClosed()) {
            // A validity check is a round trip; one per connection a second is enough: a connection that broke
            // since fails its next statement, and the migrator's step resets the links and retries.
            long now = System.nanoTime();
            Long checked = validAt.get(key);
            if (checked != null && now - checked < VALID_FOR_NANOS) {
                return c;
            }
            if (c.isValid(2)) {
                validAt.put(key, now);
                return c;
            }
        }
        if (c != null) {
            closeQuietly(c);
        }
        DataSourceConfig ds = config.dataSource(dataSource);
        Properties p = new Properties();
        if (ds.user() != null) {
            p.setProperty("user", ds.user());
        }
        if (ds.password() != null) {
            p.setProperty("password", ds.password());
        }
        // Copies insert in JDBC batches; these turn a batch into multi-row INSERTs (one round trip per batch).
        switch (ds.dialect()) {
            case POSTGRESQL -> {
                p.setProperty("reWriteBatchedInserts", "true");
                // So the server's views (pg_stat_activity) tell the migrator's sessions from the application's.
                p.setProperty("ApplicationName", "vshard-migrator");
            }
            case MYSQL -> p.setProperty("rewriteBatchedStatements", "true");
            case H2 -> {}
        }
        try {
            c = DriverManager.getConnection(ds.url(), p);
        } catch (SQLException e) {
            throw VShardSQLException.of(VShardState.SHARD_UNREACHABLE, e, dataSource, e.getMessage());
        }
        open.put(key, c);
        validAt.put(key, System.nanoTime());
        if (closed) {
            // Closed while this connection was opening (a kill from another thread): do not leak it.
            reset();
            throw new SQLException("the migrator's connections are closed (it stopped)", "08003");
        }
        return c;
    }

    /** Drops every connection (after a failure, so the next use reconnects). */
    void reset() {
        for (String key : List.copyOf(open.keySet())) {
            Connection c = open.remove(key);
            validAt.remove(key);
            if (c != null) {
                closeQuietly(c);
            }
        }
    }

    /** Drops every connection for good: a later {@link #get} fails (a stopped or killed migrator's threads). */
    @Override
    public void close() {
        closed = true;
        reset();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Already broken; nothing to release.
        }
    }
}
