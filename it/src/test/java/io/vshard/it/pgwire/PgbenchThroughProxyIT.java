package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.proxy.pgwire.PgAuthMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** pgbench through the proxy in every query mode: the built-in select-only script and a transactional write one. */
class PgbenchThroughProxyIT {

    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static ProxyFixture fixture;
    private static Path writeScript;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ProxyFixture(PgAuthMethod.SCRAM_SHA_256);
        // Initialise directly: pgbench -i loads with COPY, which the proxy does not speak.
        List<String> init = List.of(
                bin("pgbench"),
                "-i",
                "-q",
                "-s",
                "1",
                "-h",
                "127.0.0.1",
                "-p",
                "5432",
                "-U",
                "postgres",
                fixture.database);
        assertThat(run(init, "").exitCode()).isZero();
        writeScript = Files.createTempFile("pgbench-write", ".sql");
        Files.writeString(
                writeScript,
                String.join(
                        "\n",
                        "\\set aid random(1, 100000 * :scale)",
                        "\\set delta random(-5000, 5000)",
                        "BEGIN;",
                        "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;",
                        "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;",
                        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime)"
                                + " VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);",
                        "END;",
                        ""));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        Files.deleteIfExists(writeScript);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void selectOnlyAndWritesRunWithoutFailures(String mode) throws Exception {
        PsqlThroughProxyIT.Run select = pgbench(mode, "-S");
        assertThat(select.exitCode()).as(select.stderr()).isZero();
        assertThat(select.stdout()).contains("number of failed transactions: 0");
        assertThat(processed(select)).isPositive();

        long historyBefore = historyRows();
        PsqlThroughProxyIT.Run write = pgbench(mode, "-f", writeScript.toString());
        assertThat(write.exitCode()).as(write.stderr()).isZero();
        assertThat(write.stdout()).contains("number of failed transactions: 0");
        long transactions = processed(write);
        assertThat(transactions).isPositive();
        assertThat(historyRows() - historyBefore)
                .as("one history row per committed transaction")
                .isEqualTo(transactions);
    }

    private static PsqlThroughProxyIT.Run pgbench(String mode, String... script) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                bin("pgbench"),
                "-n",
                "-M",
                mode,
                "-c",
                "4",
                "-j",
                "2",
                "-T",
                "3",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(fixture.port),
                "-U",
                ProxyFixture.USER));
        cmd.addAll(List.of(script));
        cmd.add(fixture.database);
        return run(cmd, ProxyFixture.PASSWORD);
    }

    private static long processed(PsqlThroughProxyIT.Run run) {
        Matcher matcher = PROCESSED.matcher(run.stdout());
        assertThat(matcher.find()).as(run.stdout()).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static long historyRows() throws Exception {
        try (Connection c = fixture.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pgbench_history")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String bin(String name) {
        Path path = Path.of("/usr/lib/postgresql/15/bin", name);
        return Files.exists(path) ? path.toString() : name;
    }

    private static PsqlThroughProxyIT.Run run(List<String> cmd, String password)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().put("PGPASSWORD", password);
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new PsqlThroughProxyIT.Run(
                process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
