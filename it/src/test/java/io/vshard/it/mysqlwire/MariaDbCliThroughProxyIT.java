package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code mariadb} command-line client through the proxy: tables, DML, transactions, a wrong password. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MariaDbCliThroughProxyIT {
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
    }

    @Test
    void showTablesDmlAndTransactions() throws Exception {
        Result created = cli(
                "app",
                "app-secret",
                "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(20));"
                        + " INSERT INTO notes VALUES (1, 'one'), (2, 'two'); SHOW TABLES;");
        assertThat(created.exitCode).as(created.output).isZero();
        assertThat(created.output).contains("Tables_in_" + proxy.database).contains("notes");

        Result dml = cli(
                "app",
                "app-secret",
                "UPDATE notes SET body = 'uno' WHERE id = 1; DELETE FROM notes WHERE id = 2;"
                        + " BEGIN; INSERT INTO notes VALUES (3, 'rolled back'); ROLLBACK;"
                        + " START TRANSACTION; INSERT INTO notes VALUES (4, 'kept'); COMMIT;"
                        + " SELECT id, body FROM notes ORDER BY id;");
        assertThat(dml.exitCode).as(dml.output).isZero();
        assertThat(dml.output)
                .contains("1\tuno")
                .contains("4\tkept")
                .doesNotContain("two")
                .doesNotContain("rolled");
    }

    @Test
    void cachingSha2UserLogsIn() throws Exception {
        Result result = cli("sha", "sha-secret", "SELECT 40 + 2 AS answer;");
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("42");
    }

    @Test
    void wrongPasswordIsError1045() throws Exception {
        Result result = cli("app", "wrong", "SELECT 1;");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("ERROR 1045 (28000)");
    }

    @Test
    void backendErrorsKeepTheirCode() throws Exception {
        Result result = cli("app", "app-secret", "SELECT * FROM missing_table;");
        assertThat(result.exitCode).isNotZero();
        assertThat(result.output).contains("ERROR 1146 (42S02)");
    }

    private record Result(int exitCode, String output) {}

    private static Result cli(String user, String password, String sql) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "mariadb",
                "--protocol=TCP",
                "-h",
                "127.0.0.1",
                "-P",
                Integer.toString(proxy.port),
                "-u",
                user,
                "-p" + password,
                "--skip-ssl",
                proxy.database,
                "-e",
                sql));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
