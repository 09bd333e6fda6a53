package io.vshard.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.apache.shardingsphere.driver.api.yaml.YamlShardingSphereDataSourceFactory;

/** The data sources an application would use for each benchmark target over one {@link BenchFleet}. */
final class Targets {
    /** The pool size of every target, the same for the application pool and the engine's backend pool. */
    static final int POOL = 8;

    private Targets() {}

    /** A backend fleet named by system properties (PostgreSQL, made by the runner) or a fresh H2 one. */
    static BenchFleet fleet(String backend, String pgUrlProperty, int shards, int rowsPerShard) throws Exception {
        if (backend.equals(BenchFleet.Backend.H2.key())) {
            return BenchFleet.createH2("bench" + System.nanoTime(), shards, rowsPerShard);
        }
        String url = System.getProperty(pgUrlProperty);
        if (url == null) {
            throw new IllegalStateException("-D" + pgUrlProperty + " is not set; run BenchRunner");
        }
        return new BenchFleet(BenchFleet.Backend.POSTGRESQL, url, "postgres", shards, rowsPerShard);
    }

    /**
     * The data source of {@code target}: {@code raw} (HikariCP straight to the database), {@code vshard}
     * (HikariCP over {@code jdbc:vshard:}) or {@code shardingsphere} (ShardingSphere-JDBC's own data source).
     */
    static DataSource open(String target, BenchFleet fleet) throws Exception {
        switch (target) {
            case "raw":
                return hikari(fleet.url(), null, fleet.user());
            case "vshard":
                Path dir = Files.createTempDirectory("vshard-bench");
                Path config = fleet.writeVShardConfig(dir, POOL);
                return hikari("jdbc:vshard:" + config, "io.vshard.jdbc.VShardDriver", null);
            case "shardingsphere":
                String yaml = fleet.shardingSphereYaml("bench" + System.nanoTime(), POOL);
                return YamlShardingSphereDataSourceFactory.createDataSource(yaml.getBytes(StandardCharsets.UTF_8));
            default:
                throw new IllegalArgumentException("unknown target " + target);
        }
    }

    private static DataSource hikari(String url, String driverClass, String user) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        if (driverClass != null) {
            hc.setDriverClassName(driverClass);
        }
        if (user != null) {
            hc.setUsername(user);
            hc.setPassword("");
        }
        hc.setMaximumPoolSize(POOL);
        hc.setMinimumIdle(POOL);
        hc.setPoolName("bench");
        return new HikariDataSource(hc);
    }

    /** Closes a data source opened by {@link #open}. */
    static void close(DataSource ds) throws Exception {
        if (ds instanceof AutoCloseable a) {
            a.close();
        } else if (ds instanceof Closeable c) {
            c.close();
        }
    }
}
