package io.vshard.it.pgproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pgjdbc with its default settings (prepareThreshold 5, binary transfer) through the proxy over a sharded fleet. */
class PgJdbcShardedIT {
    private static ShardedProxy fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new ShardedProxy();
        try (Connection c = fleet.admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (payment_id bigserial PRIMARY KEY, creator_id bigint NOT NULL,"
                    + " amount numeric(12,2), paid_at timestamptz, body bytea, ref uuid, meta jsonb, tags text[])");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fleet.close();
    }

    @Test
    void preparedStatementsPastTheThresholdRouteEveryKey() throws Exception {
        try (Connection c = fleet.admin();
                PreparedStatement insert =
                        c.prepareStatement("INSERT INTO payments (creator_id, amount) VALUES (?, ?)");
                PreparedStatement select =
                        c.prepareStatement("SELECT creator_id, amount FROM payments WHERE creator_id = ?")) {
            for (long creator = 1000; creator < 1020; creator++) {
                insert.setLong(1, creator);
                insert.setBigDecimal(2, BigDecimal.valueOf(creator, 2));
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            for (long creator = 1000; creator < 1020; creator++) {
                select.setLong(1, creator);
                try (ResultSet rs = select.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(creator);
                    assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(BigDecimal.valueOf(creator, 2));
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @Test
    void batchesAndGeneratedKeys() throws Exception {
        try (Connection c = fleet.admin();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO payments (creator_id, amount) VALUES (?, 1)", Statement.RETURN_GENERATED_KEYS)) {
            for (long creator = 2000; creator < 2010; creator++) {
                ps.setLong(1, creator);
                ps.addBatch();
            }
            assertThat(ps.executeBatch()).hasSize(10).containsOnly(1);
            ps.setLong(1, 2100);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertThat(keys.next()).isTrue();
                assertThat(keys.getLong("payment_id")).isPositive();
            }
        }
    }

    @Test
    void transactionsCommitAndRollBack() throws Exception {
        try (Connection c = fleet.admin();
                PreparedStatement ps = c.prepareStatement("INSERT INTO payments (creator_id, amount) VALUES (?, 5)")) {
            c.setAutoCommit(false);
            ps.setLong(1, 3000);
            ps.executeUpdate();
            c.commit();
            ps.setLong(1, 3001);
            ps.executeUpdate();
            c.rollback();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM payments WHERE creator_id IN (3000, 3001)")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void savepointsAndAutosaveKeepATransactionPastAFailedStatement() throws Exception {
        java.util.Properties autosave = new java.util.Properties();
        autosave.setProperty("user", ShardedProxy.ADMIN);
        autosave.setProperty("password", ShardedProxy.ADMIN_PASSWORD);
        // pgjdbc sets a savepoint before each statement in a transaction and rolls back to it when one fails.
        autosave.setProperty("autosave", "always");
        try (Connection c = java.sql.DriverManager.getConnection(fleet.url(), autosave);
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO payments (payment_id, creator_id, amount) VALUES (?, ?, 5)")) {
            c.setAutoCommit(false);
            ps.setLong(1, 4_000_001);
            ps.setLong(2, 4100);
            ps.executeUpdate();
            ps.setLong(1, 4_000_001);
            ps.setLong(2, 4100);
            org.assertj.core.api.Assertions.assertThatThrownBy(ps::executeUpdate)
                    .extracting(e -> ((java.sql.SQLException) e).getSQLState())
                    .isEqualTo("23505");
            java.sql.Savepoint beforeThird = c.setSavepoint();
            ps.setLong(1, 4_000_002);
            ps.setLong(2, 4101);
            ps.executeUpdate();
            c.rollback(beforeThird);
            ps.setLong(1, 4_000_003);
            ps.setLong(2, 4102);
            ps.executeUpdate();
            c.commit();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT payment_id FROM payments WHERE creator_id IN (4100, 4101,"
                            + " 4102) ORDER BY payment_id")) {
                java.util.List<Long> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
                assertThat(ids).containsExactly(4_000_001L, 4_000_003L);
            }
        }
    }

    @Test
    void commonTypesRoundTrip() throws Exception {
        OffsetDateTime paid = OffsetDateTime.of(2025, 11, 17, 10, 30, 15, 123_456_000, ZoneOffset.UTC);
        UUID ref = UUID.randomUUID();
        byte[] body = {0, 1, 2, (byte) 0xff};
        try (Connection c = fleet.admin()) {
            for (int round = 0; round < 7; round++) {
                long creator = 4000 + round;
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO payments (creator_id, amount, paid_at, body, ref, meta, tags)"
                                + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)")) {
                    ps.setLong(1, creator);
                    ps.setBigDecimal(2, new BigDecimal("12345.67"));
                    ps.setObject(3, paid);
                    ps.setBytes(4, body);
                    ps.setObject(5, ref);
                    ps.setString(6, "{\"k\": [1, 2]}");
                    ps.setArray(7, c.createArrayOf("text", new String[] {"a", "b c"}));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT amount, paid_at, body, ref, meta, tags FROM payments WHERE creator_id = ?")) {
                    ps.setLong(1, creator);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("12345.67");
                        assertThat(rs.getObject(2, OffsetDateTime.class).toInstant())
                                .isEqualTo(paid.toInstant());
                        assertThat(rs.getBytes(3)).isEqualTo(body);
                        assertThat(rs.getObject(4)).isEqualTo(ref);
                        assertThat(rs.getString(5)).isEqualTo("{\"k\": [1, 2]}");
                        assertThat((Object[]) rs.getArray(6).getArray()).containsExactly("a", "b c");
                    }
                }
            }
        }
    }

    @Test
    void errorsArriveWithTheirSqlState() throws Exception {
        try (Connection c = fleet.admin();
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELEC 1"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("42601");
            assertThatThrownBy(() -> st.executeQuery("SELECT nope FROM payments WHERE creator_id = 1"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("42703");
            st.executeUpdate("INSERT INTO payments (payment_id, creator_id) VALUES (-1, 5000)");
            assertThatThrownBy(
                            () -> st.executeUpdate("INSERT INTO payments (payment_id, creator_id) VALUES (-1, 5000)"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("23505");
        }
    }

    @Test
    void sessionSettingsSurviveBackendPooling() throws Exception {
        try (Connection c = fleet.admin();
                Connection other = fleet.admin();
                Statement st = c.createStatement();
                Statement ot = other.createStatement()) {
            st.execute("SET statement_timeout = '4321ms'");
            st.execute("SET search_path TO public");
            for (int i = 0; i < 20; i++) {
                // The other session keeps borrowing the same pooled connections in between.
                try (ResultSet rs = ot.executeQuery("SHOW statement_timeout")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("0");
                }
                try (ResultSet rs = st.executeQuery("SELECT current_setting('statement_timeout')")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("4321ms");
                }
            }
            // Shard statements get the setting too, with their own schema.
            try (ResultSet rs =
                    st.executeQuery("SELECT current_setting('statement_timeout'), current_schema() FROM payments"
                            + " WHERE creator_id = 1000")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("4321ms");
                assertThat(rs.getString(2)).startsWith("shard_");
            }
            st.execute("RESET statement_timeout");
            try (ResultSet rs = st.executeQuery("SHOW statement_timeout")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("0");
            }
        }
    }
}
