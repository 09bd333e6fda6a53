package io.vshard.cli;

import io.vshard.config.ConfigReader;
import io.vshard.config.VShardConfig;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.proxy.http.StatusHttpServer;
import io.vshard.proxy.mysqlwire.EngineBackend;
import io.vshard.proxy.mysqlwire.MySqlProxyConfig;
import io.vshard.proxy.mysqlwire.MySqlProxyServer;
import io.vshard.proxy.pgwire.EngineConnector;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vshard proxy}: the PostgreSQL and MySQL wire-protocol proxies over one engine, plus the HTTP side ({@code /metrics},
 * {@code /health}). Runs until SIGINT or SIGTERM, then drains client connections and stops cleanly.
 */
@Command(
        name = "proxy",
        mixinStandardHelpOptions = true,
        description = "Serve the PostgreSQL and MySQL wire protocols over the shards of a configuration.")
final class ProxyCommand implements Callable<Integer> {
    private static final List<String> EMBEDDED = List.of(
            "vshard.yaml", "scenario/manifests/v1.yaml", "scenario/manifests/v2.yaml", "scenario/manifest-key.pub");

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "The configuration (default: conf/vshard.yaml, the embedded default with H2 shards).")
    Path config;

    @Option(names = "--pg-port", paramLabel = "PORT", description = "Overrides proxy.postgres_port.")
    Integer pgPort;

    @Option(names = "--mysql-port", paramLabel = "PORT", description = "Overrides proxy.mysql_port (0: off).")
    Integer mysqlPort;

    @Option(
            names = "--mysql-relay",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Relay single-shard reads to MySQL shards packet by packet (default); "
                    + "--no-mysql-relay runs every statement through the engine's JDBC session.")
    boolean mysqlRelay = true;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Overrides proxy.http_port.")
    Integer httpPort;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws IOException, SQLException, InterruptedException {
        VShardConfig parsed = ConfigReader.read(config == null ? defaultConfig(Path.of("")) : config);
        PrintWriter out = spec.commandLine().getOut();
        Engine engine = Engine.start(parsed, new EngineOptions(10_000, 16, 10_000, Duration.ofSeconds(10), "proxy"));
        PgProxyServer server = null;
        MySqlProxyServer mysql = null;
        StatusHttpServer http = null;
        try {
            engine.createShardSchemasOnce();
            PgProxyConfig pg = PgProxyConfig.of(PgAuthMethod.SCRAM_SHA_256, EngineConnector.users(parsed.users()));
            server = new PgProxyServer(pg, new EngineConnector(engine, parsed.users()));
            int port = server.start(pgPort == null ? parsed.proxy().postgresPort() : pgPort);
            int myPort = mysqlPort == null ? parsed.proxy().mysqlPort() : mysqlPort;
            if (myPort > 0) {
                mysql = new MySqlProxyServer(MySqlProxyConfig.of(
                                EngineBackend.users(parsed.users()), new EngineBackend(engine, parsed.users()))
                        .withRelayReads(mysqlRelay));
                myPort = mysql.start(myPort);
            }
            PgProxyServer serving = server;
            http = new StatusHttpServer(
                    () -> {
                        StringBuilder metrics = new StringBuilder(serving.metrics());
                        engine.metrics().writePrometheus(metrics);
                        return metrics.toString();
                    },
                    serving::healthy);
            int status = http.start(httpPort == null ? parsed.proxy().httpPort() : httpPort);
            out.printf(
                    "vshard proxy: PostgreSQL protocol on port %d, %s, metrics and health on http://127.0.0.1:%d/%n",
                    port, mysql == null ? "MySQL protocol off" : "MySQL protocol on port " + myPort, status);
            out.flush();
        } catch (RuntimeException | InterruptedException | SQLException e) {
            stop(server, mysql, http, engine);
            throw e;
        }
        PgProxyServer s = server;
        MySqlProxyServer m = mysql;
        StatusHttpServer h = http;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(s, m, h, engine), "vshard-proxy-stop"));
        stopped.await();
        return 0;
    }

    /** Drains client connections, then stops the HTTP side and the engine; runs once. */
    private synchronized void stop(PgProxyServer server, MySqlProxyServer mysql, StatusHttpServer http, Engine engine) {
        if (stopped.getCount() == 0) {
            return;
        }
        if (server != null) {
            server.close();
        }
        if (mysql != null) {
            mysql.close();
        }
        if (http != null) {
            http.close();
        }
        engine.close();
        spec.commandLine().getOut().println("vshard proxy: stopped");
        spec.commandLine().getOut().flush();
        stopped.countDown();
    }

    /**
     * The embedded default configuration: {@code conf/vshard.yaml} under {@code dir} when it exists (a source
     * checkout), else the copy in the jar, extracted to {@code dir/.vshard/conf} so its relative paths (H2 data
     * in {@code .vshard/data}, the scenario manifests) resolve.
     */
    static Path defaultConfig(Path dir) throws IOException {
        Path checkout = dir.resolve("conf/vshard.yaml");
        if (Files.isRegularFile(checkout)) {
            return checkout;
        }
        Path target = dir.resolve(".vshard/conf");
        for (String name : EMBEDDED) {
            try (InputStream in = ProxyCommand.class.getResourceAsStream("/" + name)) {
                if (in == null) {
                    throw new IOException("the jar lacks the embedded default " + name);
                }
                Path file = target.resolve(name);
                Files.createDirectories(file.getParent());
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target.resolve("vshard.yaml");
    }
}
