package io.vshard.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.vshard.config.DataSourceConfig;
import io.vshard.config.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The HikariCP pool of one physical data source, shared by every logical shard placed on it, plus a permit
 * per pooled connection. A fan-out takes all the permits it needs at once, so statements that each need
 * several connections cannot deadlock by holding some and waiting for the rest.
 *
 * <p>The schema (or MySQL database) is set on the physical connection, behind HikariCP's back, and
 * remembered per physical connection: HikariCP would otherwise reset it on every return, costing a round
 * trip per statement. It is set only when it differs from what the statement needs. Thread safe.
 */
final class DataSourcePool implements AutoCloseable {
    private final Map<String, String> quotedSchemas = new ConcurrentHashMap<>();
    private final DataSourceConfig config;
    // Read on every statement; DataSourceConfig.dialect() parses the URL each time.
    private final Dialect dialect;
    private final HikariDataSource pool;
    // Borrowed from directly, with a timeout per call; HikariDataSource always waits the whole connection timeout.
    private final HikariPool hikari;
    private final Semaphore permits;
    private final long timeoutMillis;
    // Weak keys compared by identity: HikariCP swaps a closed connection's delegate for a proxy whose hashCode
    // throws, so the connections' own equals and hashCode must never be called.
    private final Cache<Connection, State> current =
            Caffeine.newBuilder().weakKeys().build();
    private volatile Boolean preparedTransactions;
    // Kept prepared statements by physical connection, compared by identity (see statementsOf).
    private final Map<Connection, ConnectionStatements> statements = new java.util.IdentityHashMap<>();
    private final RouteMetrics metrics;
    private final MySqlSettingsReplay mysqlSettings = new MySqlSettingsReplay();
    // Leases that sessions hold between statements (Lease#park), each registered while its session keeps it.
    private final java.util.Set<Lease> parked = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong forgets = new java.util.concurrent.atomic.AtomicLong();
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    // A borrow that waited this long asks HikariCP to grow the pool again (see #connection).

    DataSourcePool(DataSourceConfig config, long connectTimeoutMillis, RouteMetrics metrics) {
        this.config = config;
        this.dialect = config.dialect();
        this.metrics = metrics;
        this.timeoutMillis = connectTimeoutMillis;
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("vshard-" + config.name());
        hc.setJdbcUrl(jdbcUrl(config.url()));
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password());
        }
        hc.setMaximumPoolSize(config.maxPoolSize());
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(Math.max(250, connectTimeoutMillis));
        hc.setInitializationFailTimeout(-1);
        if (dialect == Dialect.POSTGRESQL) {
            hc.addDataSourceProperty("connectTimeout", Math.max(1, connectTimeoutMillis / 1000));
        }
        this.pool = new HikariDataSource(hc);
        this.hikari = (HikariPool) pool.getHikariPoolMXBean();
        this.permits = new Semaphore(config.maxPoolSize(), true);
    }

    /** An in-memory H2 database must outlive its last pooled connection, which HikariCP may close. */
    static String jdbcUrl(String url) {
        if (url.startsWith("jdbc:h2:mem:")
                && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_DELAY")) {
            return url + ";DB_CLOSE_DELAY=-1";
        }
        return url;
    }

    /** Whether the server can prepare transactions (PostgreSQL), or {@code null} if not yet asked. */
    Boolean preparedTransactions() {
        return preparedTransactions;
    }

    void preparedTransactions(boolean enabled) {
        preparedTransactions = enabled;
    }

    RouteMetrics metrics() {
        return metrics;
    }

    DataSourceConfig config() {
        return config;
    }

    /**
     * {@code schema} quoted for this data source's dialect; the same instance every time, so the per-statement
     * qualification cache hashes it once rather than a fresh string on every statement.
     */
    String quoted(String schema) {
        return quotedSchemas.computeIfAbsent(schema, dialect()::quote);
    }

    Dialect dialect() {
        return dialect;
    }

    int size() {
        return config.maxPoolSize();
    }

    /**
     * Takes {@code n} permits (at most the pool size), waiting at most the connect timeout. When they are all
     * taken, leases that sessions keep parked between statements are taken from them and returned first; the
     * wait is cut into slices so that a lease parked while this thread already waited is found too.
     */
    boolean acquire(int n) throws InterruptedException {
        if (permits.tryAcquire(n, 0, TimeUnit.NANOSECONDS)) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            reclaimParked(n, 0);
            long left = deadline - System.nanoTime();
            if (permits.tryAcquire(n, Math.max(0, Math.min(left, WAIT_SLICE_NANOS)), TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (left <= 0) {
                return false;
            }
        }
    }

    /** Whether a thread waits for a permit (a session then returns its lease rather than parking it). */
    boolean hasWaiters() {
        return permits.hasQueuedThreads();
    }

    void register(Lease lease) {
        parked.add(lease);
    }

    void unregister(Lease lease) {
        parked.remove(lease);
    }

    /**
     * Takes up to {@code n} parked leases from their sessions and returns them to the pool; {@code idleNanos}
     * &gt; 0 takes only those parked at least that long.
     */
    void reclaimParked(int n, long idleNanos) {
        int taken = 0;
        for (Lease l : parked) {
            if (taken >= n) {
                return;
            }
            if (l.steal(idleNanos)) {
                taken++;
            }
        }
    }

    void release(int n) {
        permits.release(n);
    }

    /** A pooled connection; the caller holds a permit for it, so the pool owes it one within the connect timeout. */
    Connection connection() throws SQLException {
        return SlicedBorrow.connection(hikari, pool, timeoutMillis);
    }

    /**
     * How many times a connection's state was forgotten; what a lease remembers of its connection (the
     * {@link State} {@link #use} returned) holds only while this is unchanged.
     */
    long forgets() {
        return forgets.get();
    }

    /**
     * Points {@code conn} at {@code schema} with exactly the session {@code settings} (SET statements, replayed
     * in order after the schema, so a default-shard session's own search_path wins), unless it already is.
     * A connection that carried other settings is reset first (PostgreSQL {@code RESET ALL}).
     *
     * @param schemaInText the statement names {@code schema} itself, so whatever the connection points at will
     *     do; when the settings must be replayed anyway, the connection is pointed at {@code schema} with them
     */
    State use(Connection conn, String schema, boolean schemaInText, List<String> settings) throws SQLException {
        Connection physical = conn.unwrap(Connection.class);
        State have = current.getIfPresent(physical);
        String own = schema;
        if (schemaInText) {
            schema = have == null ? null : have.schema();
        }
        State want = new State(schema, settings);
        if (want.equals(have)) {
            return have;
        }
        boolean replay = !settings.isEmpty() || have == null || !have.settings().isEmpty();
        if (replay && dialect() == Dialect.POSTGRESQL) {
            // The reset costs the round trips anyway: leave the connection where the statement runs, so
            // what it does not qualify (functions, current_schema()) resolves in its own shard.
            schema = own;
            want = new State(schema, settings);
            current.invalidate(physical);
            try (Statement st = physical.createStatement()) {
                // After a failure the connection's settings are unknown: start from the session defaults.
                st.execute("RESET ALL");
                if (schema != null) {
                    st.execute("SET search_path TO " + dialect().quote(schema));
                } else {
                    // RESET ALL dropped the connection's schema: it points at none now
                    want = new State(null, settings);
                }
                for (String setting : settings) {
                    st.execute(setting);
                }
            }
        } else if (replay && dialect() == Dialect.MYSQL) {
            current.invalidate(physical);
            mysqlSettings.apply(physical, have == null ? null : have.settings(), settings);
            if (schema != null && (have == null || !schema.equals(have.schema()))) {
                physical.setCatalog(schema);
            }
        } else if (schema != null && (have == null || !schema.equals(have.schema()))) {
            if (dialect().shardIsCatalog()) {
                physical.setCatalog(schema);
            } else if (dialect() == Dialect.POSTGRESQL) {
                try (Statement st = physical.createStatement()) {
                    st.execute("SET search_path TO " + dialect().quote(schema));
                }
            } else {
                physical.setSchema(schema);
            }
        }
        current.put(physical, want);
        return want;
    }

    /** What a physical connection was last pointed at. */
    record State(String schema, List<String> settings) {
        /** Whether {@link #use} with these arguments would leave a connection in this state alone. */
        boolean serves(String schema, boolean schemaInText, List<String> settings) {
            return (settings == this.settings || settings.equals(this.settings))
                    && (schemaInText || java.util.Objects.equals(schema, this.schema));
        }
    }

    /**
     * The statements kept on {@code physical} (a driver connection, not the pool's proxy), made on first use.
     * A new connection's first call drops the sets of connections the pool has closed since, so at most about
     * a pool's worth of sets lives at once.
     */
    ConnectionStatements statementsOf(Connection physical) {
        synchronized (statements) {
            ConnectionStatements s = statements.get(physical);
            if (s == null) {
                statements.keySet().removeIf(DataSourcePool::closedQuietly);
                s = new ConnectionStatements();
                statements.put(physical, s);
            }
            return s;
        }
    }

    /** Starts a new set of kept statements for {@code physical}; the old set's statements are left to the GC. */
    void dropStatements(Connection physical) {
        synchronized (statements) {
            statements.remove(physical);
        }
    }

    private static boolean closedQuietly(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** Forgets what schema {@code conn} uses (after an error that may have reset the session). */
    void forget(Connection conn) {
        forgets.incrementAndGet();
        try {
            current.invalidate(conn.unwrap(Connection.class));
        } catch (SQLException e) {
            // The connection is gone; nothing to forget.
        }
    }

    @Override
    public void close() {
        reclaimParked(Integer.MAX_VALUE, 0);
        pool.close();
    }
}
