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

/**
 * The {@code mariadb} command-line client through the proxy over the engine: unsharded tables on the default
 * shard, sharded DML that lands on the shard the placement function names, relayed single-shard reads,
 * transactions, admin SQL, session settings that do not leak between clients, a wrong password.
 */
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
    void shardedRowsLandWherePlacementSaysAndReadBackThroughTheRelay() throws Exception {
        Result created = cli(
                "app",
                "app-secret",
                "CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner_id BIGINT NOT NULL, note VARCHAR(20));"
                        + " INSERT INTO accounts (id, owner_id, note) VALUES (1, 11, 'a'), (2, 12, 'b'), (3, 13, 'c'), (4, 14, 'd');"
                        + " BEGIN; UPDATE accounts SET note = 'a2' WHERE owner_id = 11;"
                        + " INSERT INTO accounts (id, owner_id, note) VALUES (5, 15, 'gone'); ROLLBACK;"
                        + " SELECT note FROM accounts WHERE owner_id = 11;"
                        + " SELECT COUNT(*) AS n FROM accounts;");
        assertThat(created.exitCode).as(created.output).isZero();
        assertThat(created.output).contains("note\na\n").contains("n\n4\n");

        int placed = 0;
        try (java.sql.Connection c = ProxyFixture.direct();
                java.sql.Statement st = c.createStatement()) {
            for (long owner = 11; owner <= 14; owner++) {
                io.vshard.manifest.ShardLocation at = locationOf(owner);
                try (java.sql.ResultSet rs = st.executeQuery(
                        "SELECT COUNT(*) FROM " + at.schema() + ".accounts WHERE owner_id = " + owner)) {
                    rs.next();
                    placed += rs.getInt(1);
                }
            }
        }
        assertThat(placed)
                .as("each row on the shard the placement function names")
                .isEqualTo(4);
        long relayedBefore = proxy.engine.metrics().count("single_shard");
        Result read = cli("app", "app-secret", "SELECT id, note FROM accounts WHERE owner_id = 13;");
        assertThat(read.output).contains("3\tc");
        assertThat(proxy.engine.metrics().count("single_shard"))
                .as("the single-shard read was routed for the relay")
                .isGreaterThan(relayedBefore);
    }

    @Test
    void savepointsRollBackPartOfATransaction() throws Exception {
        Result run = cli(
                "app",
                "app-secret",
                "CREATE TABLE IF NOT EXISTS ledger (id BIGINT PRIMARY KEY, owner_id BIGINT NOT NULL, note VARCHAR(20));"
                        + " BEGIN; INSERT INTO ledger (id, owner_id, note) VALUES (1, 21, 'kept');"
                        + " SAVEPOINT before_more;"
                        + " INSERT INTO ledger (id, owner_id, note) VALUES (2, 22, 'undone');"
                        + " ROLLBACK TO SAVEPOINT before_more;"
                        + " INSERT INTO ledger (id, owner_id, note) VALUES (3, 23, 'kept too');"
                        + " RELEASE SAVEPOINT before_more; COMMIT;"
                        + " SELECT COUNT(*) AS n FROM ledger WHERE owner_id IN (21, 22, 23);"
                        + " SELECT note FROM ledger WHERE owner_id = 22;");
        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("n\n2\n").doesNotContain("undone");
    }

    private static io.vshard.manifest.ShardLocation locationOf(long owner) throws Exception {
        io.vshard.engine.ShardTarget t =
                proxy.engine.singleShardRead("SELECT * FROM accounts WHERE owner_id = ?", List.of(owner));
        return new io.vshard.manifest.ShardLocation(t.dataSource().name(), t.schema());
    }

    @Test
    void adminSqlShowsTheShardVersionAndNeedsTheAdminRole() throws Exception {
        Result version = cli("app", "app-secret", "SHOW SHARD VERSION;");
        assertThat(version.exitCode).as(version.output).isZero();
        assertThat(version.output).contains("active_version").contains("\n1\t");

        Result reader = cli("reader", "reader-secret", "SHOW SHARD VERSION; SELECT 40 + 2 AS answer;");
        assertThat(reader.exitCode)
                .as("a user stored as mysql_native_hash logs in: " + reader.output)
                .isZero();
        assertThat(reader.output).contains("42");
    }

    @Test
    void sessionSettingsFollowTheSessionAndDoNotLeak() throws Exception {
        Result set = cli(
                "app",
                "app-secret",
                "SET sql_mode = 'ANSI_QUOTES', @marker := 'mine'; SELECT @@sql_mode AS mode, @marker AS marker;");
        assertThat(set.exitCode).as(set.output).isZero();
        assertThat(set.output).contains("ANSI_QUOTES\tmine");
        for (int i = 0; i < 3; i++) {
            Result other = cli("app", "app-secret", "SELECT @@sql_mode AS mode, @marker IS NULL AS clean;");
            assertThat(other.output).doesNotContain("ANSI_QUOTES").contains("\t1");
        }
        Result global = cli("app", "app-secret", "SET GLOBAL max_connections = 10;");
        assertThat(global.exitCode).isNotZero();
        assertThat(global.output).contains("0A000");
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
