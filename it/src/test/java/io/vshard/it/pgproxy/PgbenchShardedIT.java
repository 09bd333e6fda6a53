package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.Placement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgbench through the proxy against a sharded {@code pgbench_accounts} (shard key {@code aid}): the select-only
 * script and a single-key write script, in every query mode, with no failed transaction.
 */
class PgbenchShardedIT {
    private static final int ACCOUNTS = 100_000;
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static ShardedProxy fleet;
    private static Path writeScript;

    record Run(int exitCode, String stdout, String stderr) {}

    @BeforeAll
    static void start() throws Exception {
        fleet = new ShardedProxy();
        try (Connection c = fleet.admin();
                Statement st = c.createStatement()) {
            // DDL through the proxy: the sharded table on every shard, the others on the default shard.
            st.execute("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
            st.execute("CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))");
            st.execute("CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))");
            st.execute("CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp,"
                    + " filler char(22))");
            st.execute("INSERT INTO pgbench_branches VALUES (1, 0, '')");
        }
        loadAccounts();
        writeScript = Files.createTempFile("pgbench-sharded-write", ".sql");
        Files.writeString(
                writeScript,
                String.join(
                        "\n",
                        "\\set aid random(1, " + ACCOUNTS + ")",
                        "\\set delta random(-5000, 5000)",
                        "BEGIN;",
                        "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;",
                        "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;",
                        "END;",
                        ""));
    }

    /** COPY is not spoken by the proxy: rows go straight to the shard the placement function names. */
    private static void loadAccounts() throws Exception {
        TableRule rule = fleet.config.tables().find("pgbench_accounts");
        Map<ShardLocation, List<Integer>> byShard = new LinkedHashMap<>();
        for (int aid = 1; aid <= ACCOUNTS; aid++) {
            ShardLocation where = Placement.locate(fleet.engine.routingState(), rule, ShardKey.of(aid), null)
                    .writeTarget()
                    .location();
            byShard.computeIfAbsent(where, k -> new ArrayList<>()).add(aid);
        }
        for (Map.Entry<ShardLocation, List<Integer>> e : byShard.entrySet()) {
            try (Connection c = fleet.direct(e.getKey().dataSource().substring(3));
                    PreparedStatement ps =
                            c.prepareStatement("INSERT INTO " + e.getKey().schema()
                                    + ".pgbench_accounts (aid, bid, abalance, filler) VALUES (?, 1, 0, '')")) {
                c.setAutoCommit(false);
                for (int aid : e.getValue()) {
                    ps.setInt(1, aid);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fleet.close();
        Files.deleteIfExists(writeScript);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void selectOnlyAndSingleKeyWritesRunWithoutFailures(String mode) throws Exception {
        Run select = pgbench(mode, "-S");
        assertThat(select.exitCode()).as(select.stderr()).isZero();
        assertThat(select.stdout()).contains("number of failed transactions: 0");
        assertThat(processed(select)).isPositive();
        Run write = pgbench(mode, "-f", writeScript.toString());
        assertThat(write.exitCode()).as(write.stderr()).isZero();
        assertThat(write.stdout()).contains("number of failed transactions: 0");
        assertThat(processed(write)).isPositive();
    }

    private static long processed(Run run) {
        Matcher m = PROCESSED.matcher(run.stdout());
        assertThat(m.find()).as(run.stdout()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static Run pgbench(String mode, String... script) throws Exception {
        String bin = Files.exists(Path.of("/usr/lib/postgresql/15/bin/pgbench"))
                ? "/usr/lib/postgresql/15/bin/pgbench"
                : "pgbench";
        List<String> cmd = new ArrayList<>(List.of(
                bin,
                "-n",
                "-M",
                mode,
                "-c",
                "4",
                "-j",
                "2",
                "-T",
                "4",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(fleet.port),
                "-U",
                ShardedProxy.ADMIN));
        cmd.addAll(List.of(script));
        cmd.add("vshard");
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().put("PGPASSWORD", ShardedProxy.ADMIN_PASSWORD);
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Run(
                process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
