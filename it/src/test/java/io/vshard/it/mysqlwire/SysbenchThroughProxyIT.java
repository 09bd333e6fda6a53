package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * sysbench through the proxy against {@code sbtest1} sharded by {@code id} over 8 MariaDB databases: the
 * table is created through the proxy (DDL on every shard) and loaded with explicit ids (sysbench's own
 * {@code prepare} relies on AUTO_INCREMENT, which a sharded table cannot share); then {@code oltp_point_select}
 * (relayed single-shard reads, server-side prepared) and {@code oltp_read_only} (transactions, range fan-outs)
 * run with zero errors and every row where it belongs.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SysbenchThroughProxyIT {
    private static final int ROWS = 2000;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture();
        try (Connection c = proxy.app("");
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE sbtest1 (id INT NOT NULL, k INT NOT NULL DEFAULT 0,"
                            + " c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_1 (k))");
            SplittableRandom random = new SplittableRandom(7);
            for (int from = 1; from <= ROWS; from += 250) {
                List<String> rows = new ArrayList<>();
                for (int id = from; id < from + 250 && id <= ROWS; id++) {
                    rows.add("(" + id + ", " + (1 + random.nextInt(ROWS)) + ", '" + digits(random, 10) + "', '"
                            + digits(random, 5) + "')");
                }
                s.execute("INSERT INTO sbtest1 (id, k, c, pad) VALUES " + String.join(", ", rows));
            }
        }
    }

    private static String digits(SplittableRandom random, int groups) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < groups; i++) {
            parts.add(Long.toString(10_000_000_000L + random.nextLong(89_999_999_999L)));
        }
        return String.join("-", parts);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
    }

    @Test
    void rowsAreSpreadOverEveryShard() throws Exception {
        int total = 0;
        int shardsWithRows = 0;
        try (Connection c = ProxyFixture.direct();
                Statement s = c.createStatement()) {
            for (int i = 0; i < 8; i++) {
                try (ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*) FROM " + String.format("%s_s%03d", proxy.database, i) + ".sbtest1")) {
                    rs.next();
                    total += rs.getInt(1);
                    shardsWithRows += rs.getInt(1) > 0 ? 1 : 0;
                }
            }
        }
        assertThat(total).isEqualTo(ROWS);
        assertThat(shardsWithRows).isEqualTo(8);
    }

    @Test
    void pointSelectRunsWithoutErrors() throws Exception {
        Run run = sysbench("oltp_point_select", 4, 8);
        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.errors).as(run.output).isZero();
        assertThat(run.queries).as(run.output).isGreaterThan(1000);
    }

    @Test
    void readOnlyRunsWithoutErrors() throws Exception {
        Run run = sysbench("oltp_read_only", 2, 10);
        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.errors).as(run.output).isZero();
        assertThat(run.queries).as(run.output).isGreaterThan(0);
    }

    private record Run(int exitCode, long queries, long errors, String output) {}

    private static Run sysbench(String test, int threads, int seconds) throws Exception {
        List<String> command = List.of(
                "sysbench",
                test,
                "--db-driver=mysql",
                "--mysql-host=127.0.0.1",
                "--mysql-port=" + proxy.port,
                "--mysql-user=app",
                "--mysql-password=app-secret",
                "--mysql-db=" + proxy.database,
                "--mysql-ssl=off",
                "--tables=1",
                "--table-size=" + ROWS,
                "--threads=" + threads,
                "--time=" + seconds,
                "run");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(seconds + 120L, TimeUnit.SECONDS)).isTrue();
        return new Run(
                p.exitValue(),
                number(out, "queries:\\s+(\\d+)"),
                number(out, "ignored errors:\\s+(\\d+)") + (out.contains("FATAL") ? 1 : 0),
                out);
    }

    private static long number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
