package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.config.ConfigReader;
import io.vshard.config.Dialect;
import io.vshard.config.VShardConfig;
import io.vshard.engine.Journal;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.function.ShardKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against the real PostgreSQL and MariaDB, and on H2: a journal mark waits for a write that journaled and has not committed
 * yet, even when a later write (a higher journal id) committed first. Journal ids are handed out at insert, not
 * at commit, so a mark read without that wait passes over the write in flight and the catch-up that starts at
 * the mark never copies it (a write lost at the drain; MariaDB's marks did exactly that before they locked).
 */
class JournalMarksIT {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String MY = "jdbc:mysql://127.0.0.1:3306/";
    /** How the journal's DDL begins, before the table's name. */
    private static final String PREFIX = "CREATE TABLE IF NOT EXISTS ";

    private final String prefix =
            "vsjm" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    private Runnable drop = () -> {};

    @AfterEach
    void dropDatabases() {
        drop.run();
    }

    @Test
    void aPostgresqlMarkWaitsForAJournaledWriteInFlight() throws Exception {
        try (Connection admin = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + prefix);
        }
        drop = () -> admin(PG + "postgres", "postgres", "DROP DATABASE IF EXISTS " + prefix + " WITH (FORCE)");
        String url = PG + prefix;
        for (String schema : List.of("s1", "s2")) {
            admin(url, "postgres", "CREATE SCHEMA " + schema);
            admin(url, "postgres", journalIn(schema, Dialect.POSTGRESQL));
        }
        marksWaitForWritesInFlight(url, "postgres", "s1", "s2");
    }

    @Test
    void aMariadbMarkWaitsForAJournaledWriteInFlight() throws Exception {
        String s1 = prefix + "_s1";
        String s2 = prefix + "_s2";
        drop = () -> {
            admin(MY, "root", "DROP DATABASE IF EXISTS " + s1);
            admin(MY, "root", "DROP DATABASE IF EXISTS " + s2);
        };
        for (String schema : List.of(s1, s2)) {
            admin(MY, "root", "CREATE DATABASE " + schema);
            admin(MY + schema, "root", Journal.ddl(Dialect.MYSQL));
        }
        marksWaitForWritesInFlight(MY + s1, "root", s1, s2);
    }

    @Test
    void anH2MarkWaitsForAJournaledWriteInFlight() throws Exception {
        String url = "jdbc:h2:mem:" + prefix + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        drop = () -> admin(url, "sa", "SHUTDOWN");
        for (String schema : List.of("s1", "s2")) {
            admin(url, "sa", "CREATE SCHEMA " + schema);
            admin(url, "sa", journalIn(schema, Dialect.H2));
        }
        marksWaitForWritesInFlight(url, "sa", "s1", "s2");
    }

    private void marksWaitForWritesInFlight(String url, String user, String s1, String s2) throws Exception {
        ShardLocation a = new ShardLocation("db", s1);
        ShardLocation b = new ShardLocation("db", s2);
        try (ShardLinks links = new ShardLinks(config(url, user));
                Connection early = DriverManager.getConnection(url, user, "");
                Connection late = DriverManager.getConnection(url, user, "")) {
            JournalMarks marks = new JournalMarks(links, 10_000, new ParallelSources());
            long start = marks.mark(a);
            early.setAutoCommit(false);
            journal(early, s1, 1);
            journal(late, s1, 2);
            journal(late, s2, 3);

            CompletableFuture<Map<ShardLocation, Long>> both = CompletableFuture.supplyAsync(() -> {
                try {
                    return marks.mark(List.of(a, b));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(both)
                    .as("a mark taken while a journaled write is in flight")
                    .isNotDone();
            early.commit();
            Map<ShardLocation, Long> reached = both.get(10, TimeUnit.SECONDS);
            assertThat(marks.keys(Map.of(a, start), reached))
                    .as("the keys a catch-up from the first mark reads")
                    .extracting(ShardKey::creatorId)
                    .containsExactlyInAnyOrder(1L, 2L, 3L);
            assertThat(marks.mark(a)).isEqualTo(reached.get(a));

            // A write that stays in flight longer than the lock timeout fails the mark instead of passing it by.
            JournalMarks impatient = new JournalMarks(links, 1_000, new ParallelSources());
            journal(early, s1, 4);
            assertThatThrownBy(() -> impatient.mark(a)).isInstanceOf(SQLException.class);
            early.rollback();
            assertThat(impatient.mark(a)).isEqualTo(reached.get(a));
            if (url.startsWith(MY)) {
                // The link goes on to copy rows: the mark's short lock timeouts do not stay on it.
                try (Statement st = links.get("db", ShardLinks.READ).createStatement();
                        java.sql.ResultSet rs = st.executeQuery(
                                "SELECT @@SESSION.innodb_lock_wait_timeout ="
                                        + " @@GLOBAL.innodb_lock_wait_timeout, @@SESSION.lock_wait_timeout = @@GLOBAL.lock_wait_timeout")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(List.of(rs.getBoolean(1), rs.getBoolean(2))).containsExactly(true, true);
                }
            }
        }
    }

    /** The journal's DDL with its table in {@code schema}. */
    private static String journalIn(String schema, Dialect dialect) {
        String ddl = Journal.ddl(dialect);
        assertThat(ddl).startsWith(PREFIX);
        return PREFIX + schema + "." + ddl.substring(PREFIX.length());
    }

    private static void journal(Connection c, String schema, long creator) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + schema + "." + Journal.TABLE
                    + " (table_name, creator_id, region, window_id, version, at) VALUES ('payments', " + creator
                    + ", 'NA', NULL, 2, CURRENT_TIMESTAMP)");
        }
    }

    private static VShardConfig config(String url, String user) {
        String yaml = "data_sources:\n  db:\n    url: \"" + url + "\"\n    user: " + user + "\n    password: \"\"\n"
                + "default_shard:\n  data_source: db\n  schema: s1\nmanifests: []\ntrusted_keys: []\n";
        return ConfigReader.parse("journal-marks.yaml", yaml, Path.of("."), null);
    }

    private static void admin(String url, String user, String sql) {
        try (Connection c = DriverManager.getConnection(url, user, "");
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
