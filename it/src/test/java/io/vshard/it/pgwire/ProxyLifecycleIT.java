package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.proxy.http.StatusHttpServer;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgUser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on SSLRequest, the idle timeout, and a graceful close that lets running statements finish. */
class ProxyLifecycleIT {

    private static PgProxyConfig config() {
        return PgProxyConfig.of(
                PgAuthMethod.SCRAM_SHA_256, List.of(PgUser.fromPassword(ProxyFixture.USER, ProxyFixture.PASSWORD)));
    }

    @Test
    void tlsIsOfferedWithAConfiguredCertificate(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "1",
                        "-subj",
                        "/CN=localhost")
                .redirectErrorStream(true)
                .start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).isZero();
        try (ProxyFixture fixture = new ProxyFixture(config().withTls(cert, key))) {
            Properties tls = new Properties();
            tls.setProperty("sslmode", "require");
            try (Connection c = fixture.connect(tls);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT 40 + 2")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
            ProcessBuilder psql = new ProcessBuilder(
                    "psql",
                    "-X",
                    "-c",
                    "\\conninfo",
                    "host=127.0.0.1 port=" + fixture.port + " user=" + ProxyFixture.USER + " dbname=" + fixture.database
                            + " sslmode=require");
            psql.environment().put("PGPASSWORD", ProxyFixture.PASSWORD);
            Process process = psql.redirectErrorStream(true).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).contains("SSL connection (protocol: TLSv1.");
        }
    }

    @Test
    void withoutTlsSslRequiredClientsAreTurnedAway() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(config())) {
            Properties tls = new Properties();
            tls.setProperty("sslmode", "require");
            assertThatThrownBy(() -> fixture.connect(tls))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("SSL");
            try (Connection c = fixture.connect()) {
                assertThat(c.isValid(5)).isTrue();
            }
        }
    }

    @Test
    void metricsAndHealthAreServedOverHttp() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(config());
                StatusHttpServer http = new StatusHttpServer(fixture.server::metrics, fixture.server::healthy)) {
            int port = http.start(0);
            try (Connection c = fixture.connect();
                    Statement st = c.createStatement()) {
                st.executeQuery("SELECT 1").close();
                assertThatThrownBy(() -> st.execute("SELEC")).isInstanceOf(SQLException.class);
            }
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> metrics = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .containsPattern("vshard_pgwire_connections_total [1-9]")
                    .containsPattern("vshard_pgwire_statement_errors_total [1-9]")
                    .containsPattern("vshard_pgwire_statement_seconds_count [1-9]")
                    .contains("vshard_pgwire_statement_seconds_bucket{le=\"+Inf\"}");
            HttpResponse<String> health = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            fixture.server.close();
            HttpResponse<String> down = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(down.statusCode()).isEqualTo(503);
        }
    }

    @Test
    void idleSessionsAreClosed() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(config().withIdleTimeout(Duration.ofMillis(400)))) {
            try (Connection c = fixture.connect()) {
                assertThat(c.isValid(5)).isTrue();
                Thread.sleep(1500);
                assertThatThrownBy(() -> c.createStatement().execute("SELECT 1"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e ->
                                assertThat(((SQLException) e).getSQLState()).matches("08...|57P05"));
            }
        }
    }

    @Test
    void closeWaitsForRunningStatementsThenRefusesNewClients() throws Exception {
        ProxyFixture fixture = new ProxyFixture(config().withDrainTimeout(Duration.ofSeconds(10)));
        try {
            Connection c = fixture.connect();
            CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT 42 FROM pg_sleep(1.5)")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            long start = System.nanoTime();
            fixture.server.close();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(tookMillis).isBetween(800L, 9_000L);
            assertThatThrownBy(fixture::connect).isInstanceOf(SQLException.class);
            c.close();
        } finally {
            fixture.close();
        }
    }
}
