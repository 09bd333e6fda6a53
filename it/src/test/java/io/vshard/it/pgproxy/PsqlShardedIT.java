package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** psql through the proxy over a sharded fleet: SCRAM, meta-commands, DML, transactions, admin SQL. */
class PsqlShardedIT {
    private static ShardedProxy fleet;

    record Run(int exitCode, String stdout, String stderr) {}

    @BeforeAll
    static void start() throws Exception {
        fleet = new ShardedProxy();
        Run created = psql(
                ShardedProxy.ADMIN,
                ShardedProxy.ADMIN_PASSWORD,
                "CREATE TABLE payments (payment_id bigint PRIMARY KEY, creator_id bigint NOT NULL,"
                        + " amount numeric(10,2))");
        assertThat(created.exitCode()).as(created.stderr()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        fleet.close();
    }

    static Run psql(String user, String password, String... commands) throws IOException, InterruptedException {
        String psql =
                Files.exists(Path.of("/usr/lib/postgresql/15/bin/psql")) ? "/usr/lib/postgresql/15/bin/psql" : "psql";
        List<String> cmd = new ArrayList<>(List.of(
                psql,
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                "VERBOSITY=verbose",
                "host=127.0.0.1 port=" + fleet.port + " user=" + user + " dbname=vshard connect_timeout=10"));
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
    void metaCommandsDescribeTheShardedTable() throws Exception {
        Run dt = psql(ShardedProxy.ADMIN, ShardedProxy.ADMIN_PASSWORD, "\\dt");
        assertThat(dt.exitCode()).as(dt.stderr()).isZero();
        assertThat(dt.stdout()).contains("payments");
        Run d = psql(ShardedProxy.ADMIN, ShardedProxy.ADMIN_PASSWORD, "\\d payments");
        assertThat(d.exitCode()).as(d.stderr()).isZero();
        assertThat(d.stdout()).contains("creator_id").contains("numeric(10,2)").contains("payments_pkey");
    }

    @Test
    void dmlAndTransactionsLandOnTheShardsThePlacementNames() throws Exception {
        Run run = psql(
                ShardedProxy.ADMIN,
                ShardedProxy.ADMIN_PASSWORD,
                "INSERT INTO payments (payment_id, creator_id, amount) VALUES (1, 11, 10.50)",
                "BEGIN",
                "INSERT INTO payments (payment_id, creator_id, amount) VALUES (2, 12, 20.00)",
                "UPDATE payments SET amount = amount + 1 WHERE creator_id = 12",
                "COMMIT",
                "BEGIN",
                "INSERT INTO payments (payment_id, creator_id, amount) VALUES (3, 13, 30.00)",
                "ROLLBACK",
                "SELECT payment_id, amount FROM payments WHERE creator_id IN (11, 12, 13) ORDER BY payment_id");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("10.50").contains("21.00").doesNotContain("30.00");
        assertThat(run.stdout()).contains("(2 rows)");
        // The rows sit in the shard schemas, not in the default schema.
        int onShards = 0;
        for (String db : List.of("a", "b")) {
            try (Connection c = fleet.direct(db);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT table_schema FROM information_schema.tables"
                            + " WHERE table_name = 'payments' AND table_schema LIKE 'shard_%'")) {
                List<String> schemas = new ArrayList<>();
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
                for (String schema : schemas) {
                    try (ResultSet n = st.executeQuery("SELECT count(*) FROM " + schema + ".payments")) {
                        n.next();
                        onShards += n.getInt(1);
                    }
                }
            }
        }
        assertThat(onShards).isEqualTo(2);
    }

    @Test
    void onErrorRollbackKeepsTheTransactionGoingPastAFailedStatement() throws Exception {
        // psql sets a savepoint before each statement in a transaction block and rolls back to it on an error.
        Run run = psql(
                ShardedProxy.ADMIN,
                ShardedProxy.ADMIN_PASSWORD,
                "\\set ON_ERROR_STOP 0",
                "\\set ON_ERROR_ROLLBACK on",
                "BEGIN",
                "INSERT INTO payments (payment_id, creator_id, amount) VALUES (21, 31, 1.00)",
                "INSERT INTO payments (payment_id, creator_id, amount) VALUES (21, 31, 2.00)",
                "INSERT INTO payments (payment_id, creator_id, amount) VALUES (22, 32, 3.00)",
                "COMMIT",
                "SELECT payment_id, amount FROM payments WHERE creator_id IN (31, 32) ORDER BY payment_id");
        assertThat(run.stderr()).contains("23505").doesNotContain("25P02").doesNotContain("not yet available");
        assertThat(run.stdout())
                .contains("COMMIT")
                .contains("1.00")
                .contains("3.00")
                .doesNotContain("2.00");
        assertThat(run.stdout()).contains("(2 rows)");
    }

    @Test
    void adminSqlWorksAndStateChangesNeedTheAdminRole() throws Exception {
        Run version = psql(ShardedProxy.READER, ShardedProxy.READER_PASSWORD, "SHOW SHARD VERSION");
        assertThat(version.exitCode()).as(version.stderr()).isZero();
        assertThat(version.stdout()).contains("active_version").contains("(1 row)");
        Run publish = psql(ShardedProxy.READER, ShardedProxy.READER_PASSWORD, "PUBLISH MANIFEST '/tmp/nothing.yaml'");
        assertThat(publish.exitCode()).isNotZero();
        assertThat(publish.stderr()).contains("42501").contains("requires the admin role");
    }

    @Test
    void sessionAndCatalogStatementsGoToTheDefaultShard() throws Exception {
        Run run = psql(
                ShardedProxy.ADMIN,
                ShardedProxy.ADMIN_PASSWORD,
                "SET application_name = 'vshard_it'",
                "SHOW application_name",
                "SELECT current_setting('application_name') AS app, version() LIKE 'PostgreSQL%' AS pg");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("vshard_it").contains(" t");
    }

    @Test
    void aWrongPasswordIsRefusedWith28P01() throws Exception {
        Run run = psql(ShardedProxy.ADMIN, "wrong", "SELECT 1");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("password authentication failed");
        try {
            fleet.connect(ShardedProxy.ADMIN, "wrong").close();
            org.assertj.core.api.Assertions.fail("connected with a wrong password");
        } catch (java.sql.SQLException e) {
            assertThat(e.getSQLState()).isEqualTo("28P01");
        }
    }
}
