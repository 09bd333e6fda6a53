package io.vshard.it.migrate;

import io.vshard.config.ConfigReader;
import io.vshard.control.MigrationStore;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.jdbc.VShardDriver;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.Payment;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The 64 → 128 scenario on the local PostgreSQL for migration tests: four uniquely named shard databases
 * and a control database, a fresh signing key, v1 and v2 re-signed from conf/scenario with the test's
 * migration strategy, a shifted fleet clock, and router engines sharing the control store.
 */
final class MigrationFleet implements AutoCloseable {
    static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    static final List<String> SOURCES = List.of("db_a", "db_b", "db_c", "db_d");
    static final Instant BEFORE_BOUNDARY = Instant.parse("2027-02-22T00:00:00Z");
    static final Instant AT_BOUNDARY = Instant.parse("2027-03-01T00:00:05Z");
    static final String DDL_CREATORS = "CREATE TABLE IF NOT EXISTS creators (creator_id BIGINT PRIMARY KEY,"
            + " region VARCHAR(8) NOT NULL, name VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL)";
    static final String DDL_BALANCES = "CREATE TABLE IF NOT EXISTS balances (creator_id BIGINT PRIMARY KEY,"
            + " region VARCHAR(8) NOT NULL, balance NUMERIC(14,2) NOT NULL, updates BIGINT NOT NULL)";
    static final String DDL_PAYMENTS = "CREATE TABLE IF NOT EXISTS payments (payment_id BIGINT PRIMARY KEY,"
            + " creator_id BIGINT NOT NULL, region VARCHAR(8) NOT NULL, tenant_id BIGINT NOT NULL,"
            + " window_id VARCHAR(8) NOT NULL, event_id BIGINT NOT NULL, amount NUMERIC(12,2) NOT NULL,"
            + " currency CHAR(3) NOT NULL, created_at TIMESTAMP NOT NULL, UNIQUE (tenant_id, window_id, event_id))";

    final String prefix = "vsm" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    final Path dir;
    final KeyPair keys = ManifestSigner.generateKeyPair();
    final ShiftedClock clock = new ShiftedClock();
    final Path config;
    final Path v2;
    final List<Engine> engines = new ArrayList<>();
    final ScenarioDataset dataset;

    MigrationFleet(Path dir, MigrationStrategy strategy, RollbackTriggers triggers, ScenarioDataset dataset)
            throws Exception {
        this.dir = dir;
        this.dataset = dataset;
        clock.setTo(BEFORE_BOUNDARY);
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            for (String s : SOURCES) {
                st.execute("CREATE DATABASE " + prefix + "_" + s.substring(3));
            }
            st.execute("CREATE DATABASE " + prefix + "_ctl");
        }
        Path scenario = Path.of("..", "conf", "scenario", "manifests");
        Files.createDirectories(dir.resolve("manifests"));
        Manifest v1 = ManifestCodec.parse("v1", Files.readString(scenario.resolve("v1.yaml")));
        Manifest v2m = ManifestCodec.parse("v2", Files.readString(scenario.resolve("v2.yaml")));
        write(dir.resolve("manifests/v1.yaml"), resign(v1, strategy, triggers));
        this.v2 = dir.resolve("manifests/v2.yaml");
        write(v2, resign(v2m, strategy, triggers));
        Files.writeString(dir.resolve("key.pub"), ManifestSigner.encodePublic(keys.getPublic()));
        StringBuilder y = new StringBuilder("data_sources:\n");
        for (String s : SOURCES) {
            y.append("  ")
                    .append(s)
                    .append(":\n    url: \"")
                    .append(PG)
                    .append(prefix)
                    .append('_');
            y.append(s.substring(3)).append("\"\n    user: postgres\n    password: \"\"\n    max_pool_size: 12\n");
        }
        y.append("default_shard:\n  data_source: db_a\n  schema: public\n");
        y.append("control_store:\n  url: \"").append(PG).append(prefix).append("_ctl\"\n  user: postgres\n");
        y.append("  password: \"\"\nmanifests:\n  - manifests/v1.yaml\ntrusted_keys:\n  - key.pub\n");
        y.append("tables:\n");
        y.append("  payments:\n    kind: sharded\n    creator_column: creator_id\n    region_column: region\n");
        y.append("    window_column: window_id\n    primary_key: payment_id\n");
        y.append("  creators:\n    kind: sharded\n    creator_column: creator_id\n    region_column: region\n");
        y.append("    primary_key: creator_id\n");
        y.append("  balances:\n    kind: sharded\n    creator_column: creator_id\n    region_column: region\n");
        y.append("    primary_key: creator_id\n");
        config = dir.resolve("vshard.yaml");
        Files.writeString(config, y.toString());
    }

    private Manifest resign(Manifest m, MigrationStrategy strategy, RollbackTriggers triggers) {
        Manifest changed = new Manifest(
                m.version(),
                m.previousVersion(),
                m.shardFunction(),
                m.placement(),
                m.boundaryStart(),
                m.effectiveWindow(),
                strategy,
                m.verification(),
                triggers,
                null);
        return ManifestSigner.sign(changed, keys.getPrivate(), keys.getPublic());
    }

    static void write(Path p, Manifest m) throws Exception {
        Files.writeString(p, ManifestCodec.write(m), StandardCharsets.UTF_8);
    }

    /** Starts one more router instance on the shared control store. */
    Engine router() throws Exception {
        // The heartbeat bounds how soon routers acknowledge a fence, hence the write pause per cohort flip.
        Duration heartbeat = Duration.ofMillis(Long.getLong("fleet.heartbeatMillis", 200));
        EngineOptions o = new EngineOptions(5_000, 8, 10_000, heartbeat, "driver").withClock(clock);
        Engine e = Engine.start(ConfigReader.read(config), o);
        engines.add(e);
        return e;
    }

    /** Moves the fleet clock (every router's injected clock and the control store's reference). */
    void moveClockTo(Instant at) throws Exception {
        Duration offset = clock.setTo(at);
        new MigrationStore(engines.get(0).controlStore()).setClockOffset(offset);
        for (Engine e : engines) {
            e.refresh();
        }
    }

    /** A jdbc:vshard: connection through router {@code i}. */
    Connection vshard(int i) throws SQLException {
        return VShardDriver.connect(engines.get(i), new Properties());
    }

    /** Creates schemas and tables on every live shard through vshard. */
    void createTables() throws Exception {
        engines.get(0).createShardSchemas();
        try (Connection c = vshard(0);
                Statement st = c.createStatement()) {
            st.execute(DDL_CREATORS);
            st.execute(DDL_BALANCES);
            st.execute(DDL_PAYMENTS);
        }
    }

    /** A direct connection to a data source's database. */
    Connection direct(String dataSource) throws SQLException {
        return DriverManager.getConnection(PG + prefix + "_" + dataSource.substring(3), "postgres", "");
    }

    /** Every distinct physical location of the live versions. */
    Set<ShardLocation> locations() {
        Set<ShardLocation> out = new LinkedHashSet<>();
        for (LogicalShard s : Placement.allShards(engines.get(0).routingState())) {
            out.add(s.location());
        }
        return out;
    }

    ShardLocation place(RoutingState state, String table, long creator, String region, WindowId window) {
        TableRule rule = engines.get(0).config().tables().find(table);
        return Placement.locate(state, rule, ShardKey.of(creator, region), window)
                .writeTarget()
                .location();
    }

    /** Loads the dataset straight into the shards where the placement function puts each row. */
    void load() throws Exception {
        RoutingState state = engines.get(0).routingState();
        Map<ShardLocation, List<Object[]>> creators = new HashMap<>();
        Map<ShardLocation, List<Object[]>> payments = new HashMap<>();
        Instant created = Instant.parse("2026-12-01T00:00:00Z");
        for (Creator c : dataset.creators()) {
            creators.computeIfAbsent(place(state, "creators", c.id(), c.region(), null), k -> new ArrayList<>())
                    .add(new Object[] {c.id(), c.region(), "creator " + c.index(), ts(created)});
        }
        for (Payment p : dataset.payments()) {
            payments.computeIfAbsent(
                            place(state, "payments", p.creatorId(), p.region(), p.window()), k -> new ArrayList<>())
                    .add(new Object[] {
                        p.paymentId(),
                        p.creatorId(),
                        p.region(),
                        p.creatorId(),
                        p.window().toString(),
                        p.eventId(),
                        p.amount(),
                        p.currency(),
                        ts(p.createdAt())
                    });
        }
        for (String ds : SOURCES) {
            try (Connection c = direct(ds)) {
                c.setAutoCommit(false);
                for (Map.Entry<ShardLocation, List<Object[]>> e : creators.entrySet()) {
                    if (e.getKey().dataSource().equals(ds)) {
                        insert(c, e.getKey().schema() + ".creators", e.getValue());
                        List<Object[]> balances = new ArrayList<>();
                        for (Object[] r : e.getValue()) {
                            balances.add(new Object[] {r[0], r[1], new java.math.BigDecimal("0.00"), 0L});
                        }
                        insert(c, e.getKey().schema() + ".balances", balances);
                    }
                }
                for (Map.Entry<ShardLocation, List<Object[]>> e : payments.entrySet()) {
                    if (e.getKey().dataSource().equals(ds)) {
                        insert(c, e.getKey().schema() + ".payments", e.getValue());
                    }
                }
                c.commit();
            }
        }
    }

    static Timestamp ts(Instant i) {
        return Timestamp.valueOf(i.atOffset(ZoneOffset.UTC).toLocalDateTime());
    }

    private static void insert(Connection c, String table, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String marks = "?" + ", ?".repeat(rows.get(0).length - 1);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (" + marks + ")")) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    ps.setObject(i + 1, r[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Cuts every connection to one shard database (a shard server connection loss). */
    int cutConnections(String dataSource) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = '" + prefix + "_" + dataSource.substring(3) + "'"
                        + " AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public void close() throws Exception {
        for (Engine e : engines) {
            e.close();
        }
        if (Boolean.getBoolean("audit.keep")) {
            System.out.println("kept databases " + prefix + "_*");
            return;
        }
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            for (String s : List.of("a", "b", "c", "d", "ctl")) {
                String db = prefix + "_" + s;
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
                st.execute("DROP DATABASE IF EXISTS " + db);
            }
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
