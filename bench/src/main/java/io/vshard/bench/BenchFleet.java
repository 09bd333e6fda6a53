package io.vshard.bench;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.Verification;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * One benchmark database on a backend, laid out twice over the same rows: a schema per logical shard
 * ({@code shard_000.payments} ..., what vshard and the raw baseline use, placed by {@code identity(creator_id) %
 * shards}) and a table per shard in the default schema ({@code payments_0} ..., what ShardingSphere's
 * table-sharding rule names). Row {@code p} (from {@code shards} to
 * {@code shards * (rowsPerShard + 1) - 1}) has {@code creator_id = p % 4096}, so it lives on shard {@code p % shards};
 * {@code payments_all} holds every row in one table, the unsharded reference.
 *
 * @param backend the backend
 * @param url the physical database's JDBC URL
 * @param user its user
 * @param shards the logical shard count
 * @param rowsPerShard rows loaded per shard
 */
public record BenchFleet(Backend backend, String url, String user, int shards, int rowsPerShard) {
    /** Creators in the data set; a multiple of every shard count used. */
    public static final int CREATORS = 4096;

    /** A backend of the benchmarks. */
    public enum Backend {
        /** The local PostgreSQL, one database per run. */
        POSTGRESQL,
        /** An in-memory H2 database inside the benchmark JVM. */
        H2;

        /** The value JMH parameters use. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final String PG_SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    /** The total row count. */
    public long rows() {
        return (long) shards * rowsPerShard;
    }

    /** The schema of logical shard {@code shard}. */
    public static String schema(int shard) {
        return String.format(Locale.ROOT, "shard_%03d", shard);
    }

    /** A fresh PostgreSQL database with {@code shards} schemas, loaded. */
    public static BenchFleet createPostgres(String name, int shards, int rowsPerShard) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        BenchFleet f = new BenchFleet(Backend.POSTGRESQL, PG_SERVER + name, "postgres", shards, rowsPerShard);
        f.load();
        return f;
    }

    /** Drops a PostgreSQL database made by {@link #createPostgres}. */
    public static void dropPostgres(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", "");
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** A fresh in-memory H2 database (kept until the JVM exits), loaded. */
    public static BenchFleet createH2(String name, int shards, int rowsPerShard) throws SQLException {
        BenchFleet f =
                new BenchFleet(Backend.H2, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", shards, rowsPerShard);
        f.load();
        return f;
    }

    /** A connection straight to the physical database. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    private void load() throws SQLException {
        String columns = "(payment_id BIGINT PRIMARY KEY, creator_id BIGINT NOT NULL, amount INT NOT NULL,"
                + " note VARCHAR(64))";
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (int s = 0; s < shards; s++) {
                st.execute("CREATE SCHEMA \"" + schema(s) + "\"");
                st.execute("CREATE TABLE \"" + schema(s) + "\".payments " + columns);
                st.execute("CREATE TABLE payments_" + s + " " + columns);
            }
            st.execute("CREATE TABLE payments_all " + columns);
            c.commit();
            for (int s = 0; s < shards; s++) {
                for (String table : List.of("\"" + schema(s) + "\".payments", "payments_" + s, "payments_all")) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?, ?)")) {
                        for (int i = 0; i < rowsPerShard; i++) {
                            long p = (long) (i + 1) * shards + s;
                            ps.setLong(1, p);
                            ps.setLong(2, p % CREATORS);
                            ps.setInt(3, (int) (p * 7919 % 100_000));
                            ps.setString(4, "payment " + p);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
            }
            c.commit();
            if (backend == Backend.POSTGRESQL) {
                c.setAutoCommit(true);
                st.execute("ANALYZE");
            }
        }
    }

    /**
     * Writes the vshard configuration (a signed manifest placing every logical shard on this database) into
     * {@code dir}.
     *
     * @param poolSize the engine's pool size for the data source
     * @return the configuration file
     */
    public Path writeVShardConfig(Path dir, int poolSize) throws IOException {
        Files.createDirectories(dir);
        KeyPair keys = ManifestSigner.generateKeyPair();
        Manifest m = new Manifest(
                1,
                0,
                new ModHash(KeyHash.IDENTITY, shards),
                List.of(new PlacementRule(0, shards - 1, "db", "shard_%03d")),
                null,
                null,
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
        Files.writeString(
                dir.resolve("v1.yaml"),
                ManifestCodec.write(ManifestSigner.sign(m, keys.getPrivate(), keys.getPublic())));
        Files.writeString(dir.resolve("key.pub"), ManifestSigner.encodePublic(keys.getPublic()));
        String defaultSchema = backend == Backend.H2 ? "PUBLIC" : "public";
        String yaml = "data_sources:\n  db:\n    url: \"" + url + "\"\n    user: " + user + "\n    password: \"\"\n"
                + "    max_pool_size: " + poolSize + "\n"
                + "default_shard:\n  data_source: db\n  schema: " + defaultSchema + "\n"
                + "manifests:\n  - v1.yaml\ntrusted_keys:\n  - key.pub\n"
                + "tables:\n  payments:\n    kind: sharded\n    creator_column: creator_id\n"
                + "    primary_key: payment_id\n";
        Path config = dir.resolve("vshard.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    /**
     * The ShardingSphere-JDBC YAML for the same shards: one data source (this database, HikariCP) and a
     * table-sharding rule on {@code creator_id} with the inline expression {@code payments_${creator_id % shards}}.
     */
    public String shardingSphereYaml(String databaseName, int poolSize) {
        return "databaseName: " + databaseName + "\n"
                + "mode:\n  type: Standalone\n  repository:\n    type: JDBC\n"
                + "dataSources:\n  ds:\n    dataSourceClassName: com.zaxxer.hikari.HikariDataSource\n"
                + "    jdbcUrl: \"" + url + "\"\n    username: " + user + "\n    password: \"\"\n"
                + "    maximumPoolSize: " + poolSize + "\n    minimumIdle: " + poolSize + "\n"
                + "rules:\n- !SHARDING\n  tables:\n    payments:\n"
                + "      actualDataNodes: ds.payments_${0.." + (shards - 1) + "}\n"
                + "      tableStrategy:\n        standard:\n          shardingColumn: creator_id\n"
                + "          shardingAlgorithmName: payments_mod\n"
                + "  shardingAlgorithms:\n    payments_mod:\n      type: INLINE\n      props:\n"
                + "        algorithm-expression: payments_${creator_id % " + shards + "}\n"
                + "props:\n  sql-show: false\n";
    }
}
