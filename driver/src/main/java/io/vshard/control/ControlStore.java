package io.vshard.control;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.vshard.config.ConfigReader.ManifestFile;
import io.vshard.config.ControlStoreConfig;
import io.vshard.config.Dialect;
import io.vshard.engine.SlicedBorrow;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.placement.RoutingState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The control store: the database every router and the migrator share. It holds the published manifests
 * (version, text, hash, state), cohort states (id, state, epoch, effective_at) and one heartbeat row per
 * router. It is an H2 file next to the configuration by default, or a PostgreSQL / MySQL database.
 *
 * <p>The store is read at startup, on refresh and on heartbeats, and by the migrator at every step, never on
 * the statement path. Its connections come from a small pool (no idle connection is kept past ten seconds):
 * opening a PostgreSQL connection per call cost tens of milliseconds on every heartbeat and fence
 * acknowledgement. Thread safe.
 */
public final class ControlStore {
    /** Manifest states. */
    public static final String ACTIVE = "ACTIVE";

    /** A manifest published but not yet serving. */
    public static final String PUBLISHED = "PUBLISHED";

    private final ControlStoreConfig config;
    private final Dialect dialect;
    private static final long CONNECT_TIMEOUT_MILLIS = 10_000;

    private final HikariDataSource pool;
    private final HikariPool hikari;

    /**
     * Opens the store and creates its tables if missing.
     *
     * @throws SQLException 08006 naming the store when it cannot be reached
     */
    public ControlStore(ControlStoreConfig config) throws SQLException {
        this.config = config;
        this.dialect = Dialect.of(config.url());
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("vshard-control");
        hc.setJdbcUrl(config.url());
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password());
        }
        if (dialect == Dialect.POSTGRESQL) {
            hc.addDataSourceProperty("connectTimeout", "10");
        }
        hc.setMaximumPoolSize(8);
        hc.setMinimumIdle(0);
        hc.setIdleTimeout(10_000);
        hc.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        // Fail on use (naming the store), not here: a router starts and reports the store as unavailable.
        hc.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(hc);
        this.hikari = (HikariPool) pool.getHikariPoolMXBean();
        try {
            createTables();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Closes the store's pooled connections. */
    public void close() {
        pool.close();
    }

    /** Where the store lives, for messages. */
    public String url() {
        return config.url();
    }

    /** A connection to the store (pooled; closing it returns it). */
    public Connection connect() throws SQLException {
        try {
            return SlicedBorrow.connection(hikari, pool, CONNECT_TIMEOUT_MILLIS);
        } catch (SQLException e) {
            throw VShardSQLException.of(VShardState.CONTROL_STORE_UNAVAILABLE, e, config.url(), e.getMessage());
        }
    }

    private void createTables() throws SQLException {
        String text =
                switch (dialect) {
                    case POSTGRESQL -> "TEXT";
                    case MYSQL -> "MEDIUMTEXT";
                    case H2 -> "CLOB";
                };
        String ts = dialect == Dialect.MYSQL ? "DATETIME(6)" : "TIMESTAMP";
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute(
                    "CREATE TABLE IF NOT EXISTS vshard_manifest (version INT PRIMARY KEY, state VARCHAR(16) NOT NULL,"
                            + " manifest_hash VARCHAR(64) NOT NULL, manifest_text " + text + " NOT NULL, published_at "
                            + ts
                            + " NOT NULL)");
            st.execute(
                    "CREATE TABLE IF NOT EXISTS vshard_2pc (gtrid VARCHAR(64) PRIMARY KEY, state VARCHAR(16) NOT NULL,"
                            + " participants VARCHAR(1000) NOT NULL, router_id VARCHAR(64) NOT NULL, created_at " + ts
                            + " NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS vshard_router (router_id VARCHAR(64) PRIMARY KEY,"
                    + " kind VARCHAR(16) NOT NULL, host VARCHAR(255) NOT NULL, started_at " + ts + " NOT NULL,"
                    + " heartbeat_at " + ts + " NOT NULL, view_epoch BIGINT NOT NULL,"
                    + " p95_millis BIGINT DEFAULT 0 NOT NULL, error_rate DOUBLE PRECISION DEFAULT 0 NOT NULL,"
                    + " health VARCHAR(4000) DEFAULT '' NOT NULL)");
            MigrationStore.createTables(st, dialect, ts, text);
        }
    }

    /**
     * Records each configured manifest that the store does not hold yet; the lowest version becomes
     * active when no manifest is. A stored version whose text differs is refused: manifests are immutable.
     *
     * @throws SQLException F0000 naming the version when a manifest changed after publication
     */
    public void register(List<ManifestFile> files) throws SQLException {
        try (Connection c = connect()) {
            boolean anyActive = false;
            for (StoredManifest m : manifests(c)) {
                anyActive |= m.state().equals(ACTIVE);
            }
            for (ManifestFile f : files) {
                String hash = hash(f.text());
                StoredManifest existing = manifest(c, f.manifest().version());
                if (existing != null) {
                    if (!existing.hash().equals(hash)) {
                        throw VShardSQLException.of(
                                VShardState.CONFIG_INVALID,
                                null,
                                f.path() + ": manifest v" + f.manifest().version()
                                        + " differs from the published one (hash " + existing.hash()
                                        + "); publish a new version instead");
                    }
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO vshard_manifest (version, state,"
                        + " manifest_hash, manifest_text, published_at) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setInt(1, f.manifest().version());
                    ps.setString(2, anyActive ? PUBLISHED : ACTIVE);
                    ps.setString(3, hash);
                    ps.setString(4, f.text());
                    ps.setTimestamp(5, Timestamp.from(Instant.now()));
                    ps.executeUpdate();
                }
                anyActive = true;
            }
        }
    }

    /** Every stored manifest in version order. */
    public List<StoredManifest> manifests() throws SQLException {
        try (Connection c = connect()) {
            return manifests(c);
        }
    }

    /**
     * The routing state: the active manifest, and the next one with its cohort states while one is published.
     *
     * @throws SQLException F0000 when no manifest is active
     */
    public RoutingState routingState() throws SQLException {
        return new MigrationStore(this).view().routing();
    }

    /** Records or refreshes a router's heartbeat. */
    public void heartbeat(String routerId, String kind, String host, long viewEpoch) throws SQLException {
        heartbeat(routerId, kind, host, viewEpoch, RouterHealth.NONE);
    }

    /**
     * Records or refreshes a router's heartbeat with the routing epoch it acknowledges and the shard health it
     * measured. Times are the store's own clock, so routers with skewed clocks compare fairly.
     */
    public void heartbeat(String routerId, String kind, String host, long viewEpoch, RouterHealth health)
            throws SQLException {
        String now = nowSql();
        try (Connection c = connect()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE vshard_router SET heartbeat_at = " + now
                    + ", view_epoch = ?, p95_millis = ?, error_rate = ?, health = ? WHERE router_id = ?")) {
                ps.setLong(1, viewEpoch);
                ps.setLong(2, health.worstP95Millis());
                ps.setDouble(3, health.worstErrorRate());
                ps.setString(4, health.detail());
                ps.setString(5, routerId);
                if (ps.executeUpdate() > 0) {
                    return;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO vshard_router (router_id, kind, host,"
                    + " started_at, heartbeat_at, view_epoch, p95_millis, error_rate, health) VALUES (?, ?, ?, " + now
                    + ", " + now + ", ?, ?, ?, ?)")) {
                ps.setString(1, routerId);
                ps.setString(2, kind);
                ps.setString(3, host);
                ps.setLong(4, viewEpoch);
                ps.setLong(5, health.worstP95Millis());
                ps.setDouble(6, health.worstErrorRate());
                ps.setString(7, health.detail());
                ps.executeUpdate();
            }
        }
    }

    /** The SQL expression for the store's current time, as a zone-less timestamp. */
    String nowSql() {
        return dialect == Dialect.MYSQL ? "CURRENT_TIMESTAMP(6)" : "LOCALTIMESTAMP";
    }

    /** The store's dialect. */
    Dialect dialect() {
        return dialect;
    }

    /** The store's current time (its own clock, read as UTC). */
    public Instant now() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT " + nowSql())) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    /** Removes a router's heartbeat row (on clean shutdown). */
    public void leave(String routerId) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("DELETE FROM vshard_router WHERE router_id = ?")) {
            ps.setString(1, routerId);
            ps.executeUpdate();
        }
    }

    /** The routers whose heartbeat is younger than {@code lease}. */
    public List<Router> liveRouters(Duration lease) throws SQLException {
        Instant now = now();
        List<Router> out = new ArrayList<>();
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("SELECT router_id, kind, host, heartbeat_at, view_epoch,"
                        + " p95_millis, error_rate, health FROM vshard_router WHERE heartbeat_at >= ?"
                        + " ORDER BY router_id")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(lease)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Router(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getTimestamp(4).toInstant(),
                            rs.getLong(5),
                            new RouterHealth(rs.getLong(6), rs.getDouble(7), rs.getString(8))));
                }
            }
        }
        return out;
    }

    /**
     * Records a distributed transaction about to prepare: the recovery log entry that lets a restarted router
     * roll its prepared branches back (state {@code PREPARING}) or commit them ({@code COMMITTING}).
     */
    public void logPreparing(String gtrid, List<String> participants, String routerId) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO vshard_2pc (gtrid, state, participants,"
                        + " router_id, created_at) VALUES (?, 'PREPARING', ?, ?, ?)")) {
            ps.setString(1, gtrid);
            ps.setString(2, String.join(",", participants));
            ps.setString(3, routerId);
            ps.setTimestamp(4, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
    }

    /**
     * The commit point of a distributed transaction: from here on, recovery commits its branches. Refused (40001)
     * when recovery claimed it for rollback first ({@link #claimForRollback}): its router's heartbeats looked gone.
     */
    public void logCommitting(String gtrid) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE vshard_2pc SET state = 'COMMITTING' WHERE gtrid = ? AND state = 'PREPARING'")) {
            ps.setString(1, gtrid);
            if (ps.executeUpdate() != 1) {
                throw new SQLException(
                        "distributed transaction " + gtrid + " was rolled back by another router's recovery (this"
                                + " router's heartbeats looked gone) or is missing from the log; retry the transaction",
                        "40001");
            }
        }
    }

    /**
     * Claims a logged transaction short of its commit point for rollback, so that its router, should it be slow
     * rather than gone, can no longer log the commit point and commit branches recovery rolls back. Returns
     * {@code false} when the transaction reached its commit point first (or left the log).
     */
    public boolean claimForRollback(String gtrid) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE vshard_2pc SET state = 'ABORTING' WHERE gtrid = ? AND state <> 'COMMITTING'")) {
            ps.setString(1, gtrid);
            return ps.executeUpdate() == 1;
        }
    }

    /** Removes a finished distributed transaction from the log. */
    public void forgetTransaction(String gtrid) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("DELETE FROM vshard_2pc WHERE gtrid = ?")) {
            ps.setString(1, gtrid);
            ps.executeUpdate();
        }
    }

    /** The distributed transactions in the log, oldest first. */
    public List<LoggedTransaction> loggedTransactions() throws SQLException {
        List<LoggedTransaction> out = new ArrayList<>();
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT gtrid, state, participants, router_id FROM vshard_2pc ORDER BY created_at, gtrid")) {
            while (rs.next()) {
                out.add(new LoggedTransaction(
                        rs.getString(1),
                        rs.getString(2).equals("COMMITTING"),
                        List.of(rs.getString(3).split(",")),
                        rs.getString(4)));
            }
        }
        return out;
    }

    /**
     * A distributed transaction in the recovery log.
     *
     * @param gtrid its global id
     * @param committing whether it passed its commit point
     * @param participants the data sources holding its branches
     * @param routerId the router that ran it
     */
    public record LoggedTransaction(String gtrid, boolean committing, List<String> participants, String routerId) {}

    private static List<StoredManifest> manifests(Connection c) throws SQLException {
        List<StoredManifest> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version, state, manifest_hash, manifest_text, published_at"
                        + " FROM vshard_manifest ORDER BY version")) {
            while (rs.next()) {
                out.add(new StoredManifest(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getTimestamp(5).toInstant()));
            }
        }
        return out;
    }

    private static StoredManifest manifest(Connection c, int version) throws SQLException {
        for (StoredManifest m : manifests(c)) {
            if (m.version() == version) {
                return m;
            }
        }
        return null;
    }

    /** The SHA-256 of a manifest file's text, in hex. */
    public static String hash(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A manifest as stored.
     *
     * @param version the version
     * @param state ACTIVE, PUBLISHED or RETIRED
     * @param hash the SHA-256 of the text
     * @param text the signed manifest text
     * @param publishedAt when it was recorded
     */
    public record StoredManifest(int version, String state, String hash, String text, Instant publishedAt) {
        /** The parsed manifest. */
        public Manifest manifest() {
            // Every view() reads the published manifests; a published manifest is immutable, so its text parses
            // to the same manifest each time: parse each text once (keyed by the text itself, not the stored
            // hash column, so a row whose text changed behind vshard's back is parsed again).
            synchronized (PARSED) {
                Manifest m = PARSED.get(text);
                if (m != null && m.version() == version) {
                    return m;
                }
            }
            Manifest m = ManifestCodec.parse("control store manifest v" + version, text);
            synchronized (PARSED) {
                PARSED.put(text, m);
            }
            return m;
        }
    }

    /** Parsed manifests by text, the few most recent (see {@link StoredManifest#manifest()}). */
    private static final Map<String, Manifest> PARSED = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Manifest> eldest) {
            return size() > 16;
        }
    };

    /**
     * A router's heartbeat.
     *
     * @param id the router id
     * @param kind {@code driver} or {@code proxy}
     * @param host the host name
     * @param heartbeatAt the last heartbeat
     * @param viewEpoch the routing epoch it acknowledged
     * @param health the shard health it measured
     */
    public record Router(
            String id, String kind, String host, Instant heartbeatAt, long viewEpoch, RouterHealth health) {}
}
