package io.vshard.it.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vshard demo --backend postgres} and {@code --backend mysql} on the local servers, at the scale of {@link
 * DemoRunIT} (20,000 creators, the smallest at which v2 balances within 1.2x): the
 * same story and the same report guarantees as on the embedded fleet, and the run's uniquely named databases
 * ({@code vshard_demo_<time>_<id>_*}) are gone afterwards.
 */
class DemoServerBackendsIT {
    private static final long CREATORS = 20_000;
    private static final long PAYMENTS = 20_000;
    private static final Pattern PREFIX = Pattern.compile("databases (vshard_demo_[0-9a-z_]+)_\\*");

    @TempDir
    Path dir;

    @Test
    void theStoryRunsOnPostgresql() throws SQLException {
        DemoRun run = story("postgres");
        assertThat(run.output).contains("COPY FROM STDIN");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                PreparedStatement ps = c.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ?")) {
            assertThat(names(ps, prefix(run))).as("databases left behind").isEmpty();
        }
    }

    @Test
    void theStoryRunsOnMysql() throws SQLException {
        DemoRun run = story("mysql");
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE ?")) {
            assertThat(names(ps, prefix(run))).as("databases left behind").isEmpty();
        }
    }

    /** One demo run on {@code backend} whose report holds the demo's guarantees. */
    private DemoRun story(String backend) {
        DemoRun run = DemoRun.run(
                dir.resolve(backend),
                CREATORS,
                PAYMENTS,
                new StringWriter(),
                "--http",
                "0",
                "--step-pause",
                "0",
                "--backend",
                backend);
        DemoRunIT.assertReport(run, CREATORS, PAYMENTS);
        return run;
    }

    private static String prefix(DemoRun run) {
        Matcher m = PREFIX.matcher(run.output);
        assertThat(m.find()).as("the run names its databases: " + run.output).isTrue();
        return m.group(1);
    }

    private static java.util.List<String> names(PreparedStatement ps, String prefix) throws SQLException {
        ps.setString(1, prefix + "%");
        java.util.List<String> out = new java.util.ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
