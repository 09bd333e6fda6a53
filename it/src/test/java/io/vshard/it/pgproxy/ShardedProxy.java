package io.vshard.it.pgproxy;

import io.netty.util.ResourceLeakDetector;
import io.vshard.config.ConfigReader;
import io.vshard.config.VShardConfig;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.Verification;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import io.vshard.proxy.pgwire.EngineConnector;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgProxyServer;
import io.vshard.proxy.pgwire.ScramSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A sharded fleet on the local PostgreSQL (8 logical shards: schemas in two databases) with the vshard proxy in
 * front of its engine. Users: {@code alice} (SCRAM secret in the config, admin role) and {@code bob} (password,
 * no role). Close stops both and drops the databases.
 */
final class ShardedProxy implements AutoCloseable {
    static final String ADMIN = "alice";
    static final String ADMIN_PASSWORD = "alice-pw";
    static final String READER = "bob";
    static final String READER_PASSWORD = "bob-pw";
    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    final Path dir;
    final VShardConfig config;
    final Engine engine;
    final PgProxyServer server;
    final int port;
    /** What the data source URLs carry after their database name ({@code ""} or {@code ?...}). */
    private final String urlOptions;

    ShardedProxy() throws Exception {
        this("");
    }

    /** A fleet whose data source URLs end in {@code urlOptions} (for example {@code ?unixSocket=/path}). */
    ShardedProxy(String urlOptions) throws Exception {
        this(urlOptions, Duration.ofSeconds(10));
    }

    /** As {@link #ShardedProxy(String)}, with the router's heartbeat every {@code heartbeat}. */
    ShardedProxy(String urlOptions, Duration heartbeat) throws Exception {
        this.urlOptions = urlOptions;
        dir = Files.createTempDirectory("vshard-pgproxy");
        config = ConfigReader.read(writeConfig());
        engine = Engine.start(config, new EngineOptions(10_000, 16, 10_000, heartbeat, "proxy"));
        engine.createShardSchemasOnce();
        server = new PgProxyServer(
                PgProxyConfig.of(PgAuthMethod.SCRAM_SHA_256, EngineConnector.users(config.users())),
                new EngineConnector(engine, config.users()));
        port = server.start(0);
    }

    String database(String suffix) {
        return "vshard_pgproxy_" + id + "_" + suffix;
    }

    /** The database the proxy says it serves (any name is accepted; clients need one). */
    String database() {
        return "vshard";
    }

    private Path writeConfig() throws IOException {
        KeyPair keys = ManifestSigner.generateKeyPair();
        Manifest m = new Manifest(
                1,
                0,
                new ModHash(KeyHash.XXH64, 8),
                List.of(new PlacementRule(0, 3, "pg_a", "shard_%03d"), new PlacementRule(4, 7, "pg_b", "shard_%03d")),
                null,
                null,
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
        Files.createDirectories(dir.resolve("manifests"));
        Files.writeString(
                dir.resolve("manifests/v1.yaml"),
                ManifestCodec.write(ManifestSigner.sign(m, keys.getPrivate(), keys.getPublic())));
        Files.writeString(dir.resolve("key.pub"), ManifestSigner.encodePublic(keys.getPublic()));
        String yaml = String.join(
                "\n",
                "data_sources:",
                "  pg_a:",
                "    url: \"" + SERVER + database("a") + urlOptions + "\"",
                "    user: postgres",
                "    max_pool_size: 8",
                "  pg_b:",
                "    url: \"" + SERVER + database("b") + urlOptions + "\"",
                "    user: postgres",
                "    max_pool_size: 8",
                "default_shard:",
                "  data_source: pg_a",
                "  schema: public",
                "control_store:",
                "  url: \"jdbc:h2:mem:control_" + id + ";DB_CLOSE_DELAY=-1\"",
                "manifests:",
                "  - manifests/v1.yaml",
                "trusted_keys:",
                "  - key.pub",
                "tables:",
                "  payments:",
                "    kind: sharded",
                "    creator_column: creator_id",
                "    primary_key: payment_id",
                "  pgbench_accounts:",
                "    kind: sharded",
                "    creator_column: aid",
                "    primary_key: aid",
                "  currencies:",
                "    kind: broadcast",
                "users:",
                "  - name: " + ADMIN,
                "    scram_secret: \"" + ScramSecret.derive(ADMIN_PASSWORD).format() + "\"",
                "    roles: [admin]",
                "  - name: " + READER,
                "    password: " + READER_PASSWORD,
                "");
        Path file = dir.resolve("vshard.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database();
    }

    /** pgjdbc through the proxy with default settings. */
    Connection connect(String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(url(), props);
    }

    Connection admin() throws SQLException {
        return connect(ADMIN, ADMIN_PASSWORD);
    }

    /** A direct connection to one of the fleet's databases ({@code a} or {@code b}). */
    Connection direct(String suffix) throws SQLException {
        return DriverManager.getConnection(SERVER + database(suffix), "postgres", "");
    }

    @Override
    public void close() throws Exception {
        server.close();
        engine.close();
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database("a") + " WITH (FORCE)");
            st.execute("DROP DATABASE IF EXISTS " + database("b") + " WITH (FORCE)");
        }
    }

    /**
     * A proxy over this fleet with multiplexing on, one event loop and one shared link per data source, so units
     * queue behind one another on one link as the head-of-line tests need; started on a free port.
     */
    PgProxyServer multiplexedProxy() throws Exception {
        String loops = System.getProperty("vshard.pg.eventLoops");
        String links = System.getProperty("vshard.pg.linksPerSource");
        System.setProperty("vshard.pg.eventLoops", "1");
        System.setProperty("vshard.pg.linksPerSource", "1");
        try {
            PgProxyServer proxy = new PgProxyServer(
                    PgProxyConfig.of(PgAuthMethod.TRUST, EngineConnector.users(config.users()))
                            .withMultiplexing(true),
                    new EngineConnector(engine, config.users()));
            proxy.start(0);
            return proxy;
        } finally {
            restore("vshard.pg.eventLoops", loops);
            restore("vshard.pg.linksPerSource", links);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
