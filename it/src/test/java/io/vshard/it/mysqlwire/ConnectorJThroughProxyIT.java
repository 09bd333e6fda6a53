package io.vshard.it.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MySQL Connector/J through the proxy to the real MariaDB, with server-side and with client-side prepares. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectorJThroughProxyIT {
    private static final String SERVER_PREPARES = "useServerPrepStmts=true";
    private static final String CLIENT_PREPARES = "useServerPrepStmts=false";
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture();
        try (Connection c = proxy.app("");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, creator_id INT NOT NULL,"
                    + " tiny TINYINT, small SMALLINT, big BIGINT UNSIGNED, price DECIMAL(12,4),"
                    + " ratio FLOAT, score DOUBLE, born DATE, created DATETIME(6), touched TIMESTAMP(3) NULL,"
                    + " name VARCHAR(40), notes TEXT, raw VARBINARY(16), blob_data BLOB, doc JSON)");
            s.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner_id BIGINT NOT NULL, price DECIMAL(12,4),"
                    + " created DATETIME(6), raw VARBINARY(16), doc JSON, name VARCHAR(40))");
        }
    }

    /**
     * A sharded table: writes go through the engine to the owner's shard, single-shard reads are relayed to it
     * (binary rows under server prepares, text rows under client prepares), batches spread over shards, and a
     * rolled-back transaction leaves nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {SERVER_PREPARES, CLIENT_PREPARES})
    void shardedRowsRoundTripThroughTheRelay(String prepares) throws SQLException {
        long base = prepares.equals(SERVER_PREPARES) ? 1000 : 2000;
        LocalDateTime created = LocalDateTime.of(2025, 11, 17, 8, 30, 15, 123_456_000);
        try (Connection c = proxy.app(prepares + "&rewriteBatchedStatements=true")) {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO accounts (id, owner_id, price, created, raw, doc, name) VALUES (?,?,?,?,?,?,?)")) {
                for (long i = 0; i < 20; i++) {
                    insert.setLong(1, base + i);
                    insert.setLong(2, base + i);
                    insert.setBigDecimal(3, new BigDecimal("12345678.1234").add(BigDecimal.valueOf(i)));
                    insert.setObject(4, created.plusSeconds(i));
                    insert.setBytes(5, new byte[] {0, 1, (byte) 0xFF, (byte) i});
                    insert.setString(6, "{\"n\": " + i + "}");
                    insert.setString(7, "Zoë " + i);
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                long inserted = 0;
                for (int n : counts) {
                    inserted += n == Statement.SUCCESS_NO_INFO ? 1 : n;
                }
                assertThat(inserted).isEqualTo(20);
            }
            long routedBefore = proxy.engine.metrics().count("single_shard");
            try (PreparedStatement select =
                    c.prepareStatement("SELECT id, price, created, raw, doc, name FROM accounts WHERE owner_id = ?")) {
                for (long i = 0; i < 20; i++) {
                    select.setLong(1, base + i);
                    try (ResultSet rs = select.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong("id")).isEqualTo(base + i);
                        assertThat(rs.getBigDecimal("price"))
                                .isEqualByComparingTo(new BigDecimal("12345678.1234").add(BigDecimal.valueOf(i)));
                        assertThat(rs.getObject("created", LocalDateTime.class)).isEqualTo(created.plusSeconds(i));
                        assertThat(rs.getBytes("raw")).containsExactly(0, 1, 0xFF, (int) i);
                        assertThat(rs.getString("doc")).contains("\"n\"");
                        assertThat(rs.getString("name")).isEqualTo("Zoë " + i);
                        assertThat(rs.next()).isFalse();
                    }
                }
            }
            assertThat(proxy.engine.metrics().count("single_shard") - routedBefore)
                    .as("every read was routed to one shard for the relay")
                    .isGreaterThanOrEqualTo(20);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO accounts (id, owner_id, name) VALUES (" + (base + 99) + ", " + (base + 99)
                        + ", 'pending')");
                try (ResultSet rs = s.executeQuery("SELECT name FROM accounts WHERE owner_id = " + (base + 99))) {
                    assertThat(rs.next())
                            .as("the transaction sees its own write")
                            .isTrue();
                }
                c.rollback();
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM accounts WHERE owner_id = " + (base + 99))) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        assertThat(LeakCounter.leaks()).as("netty buffer leaks").isZero();
    }

    @Test
    void simpleQueryWithNull() throws SQLException {
        try (Connection c = proxy.app("");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 AS one, 'x' AS letter, NULL AS nothing")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("one")).isEqualTo(1);
            assertThat(rs.getString("letter")).isEqualTo("x");
            assertThat(rs.getObject("nothing")).isNull();
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void wrongPasswordIsAccessDenied() {
        assertThatThrownBy(() -> DriverManager.getConnection(proxy.connectorJ("app", "nope", "")))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1045);
                    assertThat(e.getSQLState()).isEqualTo("28000");
                });
    }

    @Test
    void cachingSha2FullPathOverRsaThenFastPath() throws SQLException {
        String url = proxy.connectorJ("sha", "sha-secret", "allowPublicKeyRetrieval=true");
        for (int i = 0; i < 2; i++) {
            try (Connection c = DriverManager.getConnection(url);
                    ResultSet rs = c.createStatement().executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
        assertThatThrownBy(() ->
                        DriverManager.getConnection(proxy.connectorJ("sha", "wrong", "allowPublicKeyRetrieval=true")))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
    }

    @Test
    void backendErrorCodeAndSqlStatePassThrough() throws SQLException {
        try (Connection c = proxy.app("");
                Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1146);
                        assertThat(e.getSQLState()).isEqualTo("42S02");
                    });
            assertThatThrownBy(() -> s.execute("SELEC 1")).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).as(e.toString()).isEqualTo(1064);
                assertThat(e.getSQLState()).isEqualTo("42000");
            });
            try (ResultSet rs = s.executeQuery("SELECT 2")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SERVER_PREPARES, CLIENT_PREPARES})
    void preparedStatementsRoundTripCommonTypes(String prepares) throws SQLException {
        LocalDateTime created = LocalDateTime.of(2025, 11, 17, 8, 30, 15, 123_456_000);
        try (Connection c = proxy.app(prepares)) {
            long id;
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO items (creator_id, tiny, small, big, price, ratio, score, born, created, touched,"
                            + " name, notes, raw, blob_data, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                insert.setInt(1, 7);
                insert.setByte(2, (byte) -5);
                insert.setShort(3, (short) 1234);
                insert.setLong(4, 9_000_000_000L);
                insert.setBigDecimal(5, new BigDecimal("12345678.1234"));
                insert.setFloat(6, 0.5f);
                insert.setDouble(7, 3.25);
                insert.setObject(8, LocalDate.of(1999, 12, 31));
                insert.setObject(9, created);
                insert.setTimestamp(10, Timestamp.valueOf("2024-02-29 23:59:58.5"));
                insert.setString(11, "Zoë ✓");
                insert.setString(12, "long text");
                insert.setBytes(13, new byte[] {0, 1, (byte) 0xFF, 0x7F});
                insert.setBinaryStream(14, new ByteArrayInputStream(new byte[] {9, 8, 7}));
                insert.setString(15, "{\"a\": [1, 2]}");
                assertThat(insert.executeUpdate()).isEqualTo(1);
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    id = keys.getLong(1);
                    assertThat(id).isPositive();
                }
            }
            try (PreparedStatement select = c.prepareStatement("SELECT * FROM items WHERE id = ?")) {
                select.setLong(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt("creator_id")).isEqualTo(7);
                    assertThat(rs.getByte("tiny")).isEqualTo((byte) -5);
                    assertThat(rs.getShort("small")).isEqualTo((short) 1234);
                    assertThat(rs.getLong("big")).isEqualTo(9_000_000_000L);
                    assertThat(rs.getBigDecimal("price")).isEqualByComparingTo("12345678.1234");
                    assertThat(rs.getFloat("ratio")).isEqualTo(0.5f);
                    assertThat(rs.getDouble("score")).isEqualTo(3.25);
                    assertThat(rs.getObject("born", LocalDate.class)).isEqualTo(LocalDate.of(1999, 12, 31));
                    assertThat(rs.getObject("created", LocalDateTime.class)).isEqualTo(created);
                    assertThat(rs.getTimestamp("touched")).isEqualTo(Timestamp.valueOf("2024-02-29 23:59:58.5"));
                    assertThat(rs.getString("name")).isEqualTo("Zoë ✓");
                    assertThat(rs.getString("notes")).isEqualTo("long text");
                    assertThat(rs.getBytes("raw")).containsExactly(0, 1, 0xFF, 0x7F);
                    assertThat(rs.getBytes("blob_data")).containsExactly(9, 8, 7);
                    assertThat(rs.getString("doc")).contains("\"a\"");
                    assertThat(rs.next()).isFalse();
                }
                select.setLong(1, -1);
                try (ResultSet rs = select.executeQuery()) {
                    assertThat(rs.next()).isFalse();
                }
            }
            try (PreparedStatement nulls = c.prepareStatement("SELECT ? IS NULL, ? + 1")) {
                nulls.setNull(1, java.sql.Types.VARCHAR);
                nulls.setInt(2, 41);
                try (ResultSet rs = nulls.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).isTrue();
                    assertThat(rs.getInt(2)).isEqualTo(42);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SERVER_PREPARES, CLIENT_PREPARES})
    void rewrittenBatchesReturnAllGeneratedKeys(String prepares) throws SQLException {
        try (Connection c = proxy.app(prepares + "&rewriteBatchedStatements=true")) {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO items (creator_id, name) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < 50; i++) {
                    insert.setInt(1, 1000);
                    insert.setString(2, "batch-" + i);
                    insert.addBatch();
                }
                insert.executeBatch();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    while (keys.next()) {
                        ids.add(keys.getLong(1));
                    }
                }
            }
            assertThat(ids).hasSize(50).doesNotHaveDuplicates();
            try (PreparedStatement count =
                    c.prepareStatement("SELECT COUNT(*), MIN(id), MAX(id) FROM items WHERE creator_id = 1000")) {
                try (ResultSet rs = count.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(50);
                    assertThat(rs.getLong(2)).isEqualTo(ids.get(0));
                    assertThat(rs.getLong(3)).isEqualTo(ids.get(49));
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM items WHERE creator_id = 1000");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SERVER_PREPARES, CLIENT_PREPARES})
    void transactionsCommitAndRollBack(String prepares) throws SQLException {
        int base = prepares.equals(SERVER_PREPARES) ? 2000 : 3000;
        try (Connection c = proxy.app(prepares);
                Connection other = proxy.app(prepares)) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO items (creator_id) VALUES (?)")) {
                insert.setInt(1, base + 1);
                insert.executeUpdate();
                assertThat(countCreator(other, base + 1)).isZero();
                c.rollback();
                assertThat(countCreator(c, base + 1)).isZero();
                insert.setInt(1, base + 2);
                insert.executeUpdate();
                c.commit();
            }
            c.setAutoCommit(true);
            assertThat(countCreator(other, base + 2)).isEqualTo(1);
            try (Statement s = c.createStatement()) {
                s.execute("START TRANSACTION");
                s.executeUpdate("INSERT INTO items (creator_id) VALUES (" + (base + 3) + ")");
                s.execute("ROLLBACK");
                assertThat(countCreator(other, base + 3)).isZero();
                s.execute("BEGIN");
                s.executeUpdate("INSERT INTO items (creator_id) VALUES (" + (base + 3) + ")");
                s.execute("COMMIT");
                assertThat(countCreator(other, base + 3)).isEqualTo(1);
            }
        }
    }

    @Test
    void multiStatementsReturnEveryResult() throws SQLException {
        try (Connection c = proxy.app("allowMultiQueries=true");
                Statement s = c.createStatement()) {
            assertThat(s.execute("SELECT 1; UPDATE items SET name = name WHERE id < 0; SELECT 'b', 2"))
                    .isTrue();
            try (ResultSet rs = s.getResultSet()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertThat(s.getMoreResults()).isFalse();
            assertThat(s.getUpdateCount()).isZero();
            assertThat(s.getMoreResults()).isTrue();
            try (ResultSet rs = s.getResultSet()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("b");
            }
            assertThat(s.getMoreResults()).isFalse();
            assertThat(s.getUpdateCount()).isEqualTo(-1);
        }
    }

    @Test
    void toolingQueriesAnswer() throws SQLException {
        try (Connection c = proxy.app("");
                Statement s = c.createStatement()) {
            s.execute("SET NAMES utf8mb4");
            s.execute("SET autocommit=0");
            s.execute("SET autocommit=1");
            try (ResultSet rs = s.executeQuery("SELECT @@version_comment LIMIT 1")) {
                assertThat(rs.next()).isTrue();
            }
            try (ResultSet rs = s.executeQuery("SHOW DATABASES")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                assertThat(names).contains(proxy.database);
            }
            try (ResultSet rs = s.executeQuery("SHOW VARIABLES LIKE 'max_allowed_packet'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(2)).isPositive();
            }
            try (ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(proxy.database);
            }
        }
    }

    private static int countCreator(Connection c, int creator) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM items WHERE creator_id = ?")) {
            p.setInt(1, creator);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
