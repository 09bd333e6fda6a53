package io.vshard.it.mysqlwire;

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
import io.vshard.proxy.mysqlwire.AuthPlugin;
import io.vshard.proxy.mysqlwire.EngineBackend;
import io.vshard.proxy.mysqlwire.MySqlProxyConfig;
import io.vshard.proxy.mysqlwire.MySqlProxyServer;
import io.vshard.proxy.mysqlwire.MySqlUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The MySQL proxy over the vshard engine on the real local MariaDB: 8 logical shards (databases
 * {@code <database>_s000..007}) behind two data sources, and the default shard, database {@link #database}, where
 * unsharded tables live. Sharded tables: {@code accounts} (key {@code owner_id}) and {@code sbtest1} (key
 * {@code id}). Users: {@code app/app-secret} (password in the config, admin), {@code reader/reader-secret}
 * ({@code mysql_native_hash} in the config, no admin role), {@code sha/sha-secret} (caching_sha2). Close stops
 * the proxy and the engine and drops every database it made.
 */
final class ProxyFixture implements AutoCloseable {
    static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/";

    static {
        LeakCounter.install();
    }

    final String database = "vshard_mysqlwire_" + UUID.randomUUID().toString().substring(0, 8);
    final Path dir;
    final Engine engine;
    final MySqlProxyServer server;
    final int port;
    /** The query options of data source my_b's URL. */
    private final String myBOptions;

    private KeyPair keys;

    ProxyFixture() throws Exception {
        this(UnaryOperator.identity());
    }

    ProxyFixture(UnaryOperator<MySqlProxyConfig> tune) throws Exception {
        this("connectTimeout=2000", tune);
    }

    /** A fixture whose data source my_b has the URL options {@code myBOptions} (e.g. a Unix socket). */
    ProxyFixture(String myBOptions, UnaryOperator<MySqlProxyConfig> tune) throws Exception {
        this(myBOptions, tune, Duration.ofSeconds(10));
    }

    /** As {@link #ProxyFixture(String, UnaryOperator)}, with the router's heartbeat every {@code heartbeat}. */
    ProxyFixture(String myBOptions, UnaryOperator<MySqlProxyConfig> tune, Duration heartbeat) throws Exception {
        this.myBOptions = myBOptions;
        dir = Files.createTempDirectory("vshard-mysqlwire");
        VShardConfig config = ConfigReader.read(writeConfig(readerHash()));
        engine = Engine.start(config, new EngineOptions(10_000, 16, 10_000, heartbeat, "mysql-proxy"));
        try {
            engine.createShardSchemasOnce();
            List<MySqlUser> users = new ArrayList<>(EngineBackend.users(config.users()));
            users.add(new MySqlUser("sha", "sha-secret", AuthPlugin.CACHING_SHA2_PASSWORD));
            MySqlProxyConfig proxyConfig = MySqlProxyConfig.of(users, new EngineBackend(engine, config.users()));
            server = new MySqlProxyServer(tune.apply(proxyConfig));
            port = server.start(0);
        } catch (Exception | Error e) {
            engine.close();
            dropDatabases();
            throw e;
        }
    }

    /** The hash MariaDB itself computes for the reader's password, so the config holds what a DBA would paste. */
    private static String readerHash() throws SQLException {
        try (Connection c = DriverManager.getConnection(MARIADB + "?user=root");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT PASSWORD('reader-secret')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Path writeConfig(String readerHash) throws IOException {
        keys = ManifestSigner.generateKeyPair();
        Files.createDirectories(dir.resolve("manifests"));
        writeManifest(1);

        Files.writeString(dir.resolve("key.pub"), ManifestSigner.encodePublic(keys.getPublic()));
        String yaml = String.join(
                "\n",
                "data_sources:",
                "  my_a:",
                "    url: \"" + MARIADB + "\"",
                "    user: root",
                "    max_pool_size: 16",
                "  my_b:",
                "    url: \"" + MARIADB + "?" + myBOptions + "\"",
                "    user: root",
                "    max_pool_size: 16",
                "default_shard:",
                "  data_source: my_a",
                "  schema: " + database,
                "control_store:",
                "  url: \"jdbc:h2:mem:control_" + database + ";DB_CLOSE_DELAY=-1\"",
                "manifests:",
                "  - manifests/v1.yaml",
                "trusted_keys:",
                "  - key.pub",
                "tables:",
                "  accounts:",
                "    kind: sharded",
                "    creator_column: owner_id",
                "    primary_key: id",
                "  sbtest1:",
                "    kind: sharded",
                "    creator_column: id",
                "    primary_key: id",
                "users:",
                "  - name: app",
                "    password: app-secret",
                "    roles: [admin]",
                "  - name: reader",
                "    scram_secret: \""
                        + io.vshard.proxy.pgwire.ScramSecret.derive("reader-secret")
                                .format() + "\"",
                "    mysql_native_hash: \"" + readerHash + "\"",
                "");
        Path file = dir.resolve("vshard.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Writes manifests/v{version}.yaml: the fixture's layout (8 shards over my_a and my_b), signed. */
    private Path writeManifest(int version) throws IOException {
        // Later versions take effect in a window weeks ahead, as a publish requires.
        java.time.Instant boundary =
                version == 1 ? null : java.time.Instant.now().plus(java.time.Duration.ofDays(21));
        Manifest m = new Manifest(
                version,
                version - 1,
                new ModHash(KeyHash.XXH64, 8),
                List.of(
                        new PlacementRule(0, 3, "my_a", database + "_s%03d"),
                        new PlacementRule(4, 7, "my_b", database + "_s%03d")),
                boundary,
                boundary == null
                        ? null
                        : io.vshard.manifest.window.WindowId.containing(boundary)
                                .plusWeeks(1),
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
        Path file = dir.resolve("manifests/v" + version + ".yaml");
        Files.writeString(file, ManifestCodec.write(ManifestSigner.sign(m, keys.getPrivate(), keys.getPublic())));
        return file;
    }

    /**
     * Publishes manifest v2 (the same layout), so the view holds a published next version, a migration in the
     * making, and the engine has loaded it.
     */
    void publishNextManifest() throws Exception {
        engine.migrationControl().publish(writeManifest(2));
        engine.refresh();
    }

    String connectorJ(String user, String password, String options) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database + "?user=" + user + "&password=" + password
                + "&sslMode=DISABLED&connectionTimeZone=SERVER" + (options.isEmpty() ? "" : "&" + options);
    }

    Connection app(String options) throws SQLException {
        return DriverManager.getConnection(connectorJ("app", "app-secret", options));
    }

    /** A direct connection to MariaDB (root), for checking where rows landed. */
    static Connection direct() throws SQLException {
        return DriverManager.getConnection(MARIADB + "?user=root");
    }

    /** The shard databases and the default one. */
    List<String> databases() {
        List<String> out = new ArrayList<>();
        out.add(database);
        for (int i = 0; i < 8; i++) {
            out.add(String.format("%s_s%03d", database, i));
        }
        return out;
    }

    private void dropDatabases() throws SQLException {
        try (Connection c = direct();
                Statement s = c.createStatement()) {
            for (String db : databases()) {
                s.execute("DROP DATABASE IF EXISTS " + db);
            }
        }
    }

    /**
     * Creates {@code sbtest1 (id, k, c)} through the proxy (hence on every shard) and writes rows 1 to {@code rows}
     * with {@code k = id * 10} and {@code c = 'row-<id>'}, so a test can tell each row's values from its id.
     */
    void createSbtest(int rows) throws SQLException {
        try (Connection c = app("");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sbtest1 (id INT NOT NULL, k INT NOT NULL DEFAULT 0,"
                    + " c CHAR(120) NOT NULL DEFAULT '', PRIMARY KEY (id))");
            StringBuilder insert = new StringBuilder("INSERT INTO sbtest1 (id, k, c) VALUES ");
            for (int id = 1; id <= rows; id++) {
                insert.append(id == 1 ? "" : ", ").append("(" + id + ", " + id * 10 + ", 'row-" + id + "')");
            }
            if (s.executeUpdate(insert.toString()) != rows) {
                throw new SQLException("sbtest1: not every row was written");
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            server.close();
        } finally {
            engine.close();
            dropDatabases();
        }
    }
}
