package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.proxy.pgwire.PgAuthMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real psql binary through the proxy: SCRAM login, meta-commands, DML, transactions, errors. */
class PsqlThroughProxyIT {

    private static ProxyFixture fixture;

    /** Output and exit code of one psql run. */
    record Run(int exitCode, String stdout, String stderr) {}

    @BeforeAll
    static void start() throws Exception {
        fixture = new ProxyFixture(PgAuthMethod.SCRAM_SHA_256);
        Run created =
                psql(ProxyFixture.PASSWORD, "CREATE TABLE payments (id bigint PRIMARY KEY, amount numeric(10,2))");
        assertThat(created.exitCode()).as(created.stderr()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    static Run psql(String password, String... commands) throws IOException, InterruptedException {
        String psql =
                Files.exists(Path.of("/usr/lib/postgresql/15/bin/psql")) ? "/usr/lib/postgresql/15/bin/psql" : "psql";
        List<String> cmd = new ArrayList<>(List.of(
                psql,
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                "VERBOSITY=verbose",
                "host=127.0.0.1 port=" + fixture.port + " user=" + ProxyFixture.USER + " dbname=" + fixture.database
                        + " connect_timeout=10"));
        for (String command : commands) {
            cmd.add("-c");
            cmd.add(command);
        }
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().put("PGPASSWORD", password);
        builder.environment().remove("PGSSLMODE");
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(
                process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void dmlAndSelectPrintTagsAndRows() throws Exception {
        Run run = psql(
                ProxyFixture.PASSWORD,
                "INSERT INTO payments VALUES (1, 10.50), (2, 20.25)",
                "UPDATE payments SET amount = amount + 1 WHERE id = 1",
                "SELECT id, amount FROM payments WHERE id < 100 ORDER BY id",
                "DELETE FROM payments WHERE id = 2");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout())
                .contains("INSERT 0 2")
                .contains("UPDATE 1")
                .containsPattern("1 \\|\\s+11.50")
                .contains("(2 rows)")
                .contains("DELETE 1");
    }

    @Test
    void metaCommandsListAndDescribeTables() throws Exception {
        Run run = psql(ProxyFixture.PASSWORD, "\\dt", "\\d payments");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout())
                .contains("payments")
                .contains("table")
                .containsPattern("amount\\s+\\|\\s+numeric\\(10,2\\)")
                .contains("payments_pkey");
    }

    @Test
    void transactionsRollBackAndCommit() throws Exception {
        Run run = psql(
                ProxyFixture.PASSWORD,
                "BEGIN; INSERT INTO payments VALUES (100, 1); ROLLBACK;",
                "BEGIN",
                "INSERT INTO payments VALUES (101, 1)",
                "COMMIT",
                "SELECT count(*) FILTER (WHERE id = 100) AS gone, count(*) FILTER (WHERE id = 101) AS kept"
                        + " FROM payments");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("ROLLBACK").contains("COMMIT").containsPattern("0 \\|\\s+1");
    }

    @Test
    void errorsShowSqlStateAndPosition() throws Exception {
        Run run = psql(ProxyFixture.PASSWORD, "SELECT 1; SELEC 2");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr())
                .contains("42601")
                .contains("LINE 1: SELECT 1; SELEC 2")
                .contains("^");
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        Run run = psql("wrong", "SELECT 1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("password authentication failed for user \"alice\"");
    }
}
