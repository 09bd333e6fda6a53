package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.proxy.pgwire.PgAuthMethod;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pgjdbc with its default settings (extended protocol, prepareThreshold=5, binary transfer) through the proxy. */
class PgJdbcThroughProxyIT {

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ProxyFixture(PgAuthMethod.SCRAM_SHA_256);
        try (Connection c = fixture.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE payments (id bigserial PRIMARY KEY, creator_id bigint NOT NULL,"
                    + " amount numeric(12,2), note text, paid_at timestamptz, day date, local_at timestamp,"
                    + " ref uuid, body bytea, meta jsonb, ok boolean, ratio float8, small int2, tags text[],"
                    + " nums int4[])");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @Test
    void simpleSelectAndServerParameters() throws Exception {
        try (Connection c = fixture.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1 AS one, 'x'::text AS t, NULL::int AS n")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("one")).isEqualTo(1);
            assertThat(rs.getString("t")).isEqualTo("x");
            assertThat(rs.getObject("n")).isNull();
            assertThat(rs.next()).isFalse();
            assertThat(c.getMetaData().getDatabaseProductVersion()).startsWith("15");
        }
    }

    @Test
    void preparedStatementsPastThresholdRoundTripEveryCommonType() throws Exception {
        try (Connection c = fixture.connect()) {
            UUID ref = UUID.randomUUID();
            OffsetDateTime paidAt = OffsetDateTime.of(2025, 11, 17, 10, 30, 15, 123_456_000, ZoneOffset.ofHours(2));
            LocalDateTime localAt = LocalDateTime.of(2024, 2, 29, 23, 59, 58, 999_999_000);
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO payments (creator_id, amount, note, paid_at, day, local_at, ref, body, meta, ok,"
                            + " ratio, small, tags, nums) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < 8; i++) {
                    ins.setLong(1, 1000 + i);
                    ins.setBigDecimal(2, new BigDecimal("-12345.6" + i));
                    ins.setString(3, "note ü " + i);
                    ins.setObject(4, paidAt);
                    ins.setObject(5, LocalDate.of(2025, 1, 1 + i));
                    ins.setObject(6, localAt);
                    ins.setObject(7, ref);
                    ins.setBytes(8, new byte[] {0, 1, (byte) 0xFF, (byte) i});
                    ins.setString(9, "{\"k\": " + i + "}");
                    ins.setBoolean(10, i % 2 == 0);
                    ins.setDouble(11, 0.1 * i);
                    ins.setShort(12, (short) -i);
                    ins.setArray(13, c.createArrayOf("text", new String[] {"a", "b,c", null}));
                    ins.setArray(14, c.createArrayOf("int4", new Integer[] {1, 2, i}));
                    assertThat(ins.executeUpdate()).isEqualTo(1);
                }
            }
            try (PreparedStatement sel = c.prepareStatement("SELECT * FROM payments WHERE creator_id = ?")) {
                for (int i = 0; i < 8; i++) {
                    sel.setLong(1, 1000 + i);
                    try (ResultSet rs = sel.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getBigDecimal("amount")).isEqualByComparingTo("-12345.6" + i);
                        assertThat(rs.getString("note")).isEqualTo("note ü " + i);
                        assertThat(rs.getObject("paid_at", OffsetDateTime.class).toInstant())
                                .isEqualTo(paidAt.toInstant());
                        assertThat(rs.getObject("day", LocalDate.class)).isEqualTo(LocalDate.of(2025, 1, 1 + i));
                        assertThat(rs.getObject("local_at", LocalDateTime.class))
                                .isEqualTo(localAt);
                        assertThat(rs.getObject("ref")).isEqualTo(ref);
                        assertThat(rs.getBytes("body")).containsExactly(0, 1, 0xFF, i);
                        assertThat(rs.getString("meta")).isEqualTo("{\"k\": " + i + "}");
                        assertThat(rs.getBoolean("ok")).isEqualTo(i % 2 == 0);
                        assertThat(rs.getDouble("ratio")).isEqualTo(0.1 * i);
                        assertThat(rs.getShort("small")).isEqualTo((short) -i);
                        Array tags = rs.getArray("tags");
                        assertThat((Object[]) tags.getArray()).containsExactly("a", "b,c", null);
                        assertThat((Object[]) rs.getArray("nums").getArray()).containsExactly(1, 2, i);
                        assertThat(rs.next()).isFalse();
                    }
                }
            }
        }
    }

    @Test
    void batchesAndGeneratedKeys() throws Exception {
        try (Connection c = fixture.connect();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO payments (creator_id, note) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < 10; i++) {
                ps.setLong(1, 5000 + i);
                ps.setString(2, "batch");
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            assertThat(counts).hasSize(10).containsOnly(1);
            List<Long> keys = new ArrayList<>();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                while (rs.next()) {
                    keys.add(rs.getLong("id"));
                }
            }
            assertThat(keys).hasSize(10).doesNotHaveDuplicates();
        }
    }

    @Test
    void transactionsCommitAndRollback() throws Exception {
        try (Connection c = fixture.connect();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.executeUpdate("INSERT INTO payments (creator_id, note) VALUES (7001, 'rolled back')");
            c.rollback();
            st.executeUpdate("INSERT INTO payments (creator_id, note) VALUES (7002, 'committed')");
            c.commit();
            assertThatThrownBy(() -> st.execute("SELECT 1/0"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("22012");
            assertThatThrownBy(() -> st.execute("SELECT 1"))
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("25P02");
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = st.executeQuery(
                    "SELECT count(*) FILTER (WHERE creator_id = 7001), count(*) FILTER (WHERE creator_id = 7002)"
                            + " FROM payments")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
                assertThat(rs.getLong(2)).isEqualTo(1);
            }
        }
    }

    @Test
    void errorsArriveWithSqlStateAndServerFields() throws Exception {
        try (Connection c = fixture.connect();
                Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("SELEC 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> {
                        assertThat(((SQLException) e).getSQLState()).isEqualTo("42601");
                        assertThat(e.getMessage()).contains("syntax error").contains("Position: 1");
                    });
            assertThatThrownBy(() -> st.execute("INSERT INTO payments (id, creator_id) VALUES (-1, 1), (-1, 2)"))
                    .satisfies(e -> {
                        assertThat(((SQLException) e).getSQLState()).isEqualTo("23505");
                        assertThat(e.getMessage()).contains("Detail: Key (id)=(-1) already exists");
                    });
            assertThat(st.executeQuery("SELECT 2").next()).isTrue();
        }
    }

    @Test
    void fetchSizeUsesPortalSuspension() throws Exception {
        try (Connection c = fixture.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT g FROM generate_series(1, 1000) g")) {
                ps.setFetchSize(7);
                long sum = 0;
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sum += rs.getInt(1);
                        rows++;
                    }
                }
                assertThat(rows).isEqualTo(1000);
                assertThat(sum).isEqualTo(500_500);
            }
            c.commit();
        }
    }

    @Test
    void wrongPasswordIsRejectedWith28P01() {
        Properties wrong = new Properties();
        wrong.setProperty("password", "not-it");
        assertThatThrownBy(() -> fixture.connect(wrong))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("28P01");
    }

    @Test
    void cancelStopsARunningStatement() throws Exception {
        try (Connection c = fixture.connect();
                Statement st = c.createStatement()) {
            Thread canceller = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    st.cancel();
                } catch (Exception ignored) {
                    // the assertion below fails if the cancel did not arrive
                }
            });
            canceller.start();
            long start = System.nanoTime();
            assertThatThrownBy(() -> st.execute("SELECT pg_sleep(20)"))
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("57014");
            assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
            canceller.join();
            assertThat(st.executeQuery("SELECT 1").next()).isTrue();
        }
    }
}
