package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.window.WindowId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reading a shard's rows for a move: a window column that holds no window id stops the copy with the row named. */
class TableRowsTest {
    private static final TableRule PAYMENTS =
            new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", "region", "window_id", "payment_id");

    @Test
    void rowsCarryTheirParsedWindow() throws Exception {
        try (Connection c = shard("2025_W47")) {
            TableRows.Batch b = TableRows.read(c, new ShardLocation("db_a", "shard_001"), PAYMENTS, List.of(7L));
            assertThat(b.rows()).hasSize(1);
            assertThat(b.rows().get(0).window()).isEqualTo(WindowId.parse("2025_W47"));
        }
    }

    @Test
    void aRowWhoseWindowIsNoWindowIdIsNamedInTheError() throws Exception {
        try (Connection c = shard("last tuesday")) {
            assertThatThrownBy(() -> TableRows.read(c, new ShardLocation("db_a", "shard_001"), PAYMENTS, List.of(7L)))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("table payments, row payment_id = 42")
                    .hasMessageContaining("'last tuesday'")
                    .hasMessageContaining("resume the migration")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22P02"));
        }
    }

    private static Connection shard(String window) throws SQLException {
        Connection c =
                DriverManager.getConnection("jdbc:h2:mem:" + UUID.randomUUID() + ";DATABASE_TO_LOWER=TRUE", "sa", "");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA shard_001");
            s.execute("CREATE TABLE shard_001.payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT,"
                    + " region VARCHAR(8), window_id VARCHAR(16), amount DECIMAL(12, 2))");
            s.execute("INSERT INTO shard_001.payments VALUES (42, 7, 'NA', '" + window + "', 1.50)");
        }
        return c;
    }
}
