package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class MySqlSessionSettingsTest {
    @Test
    void splitsOneAssignmentPerVariableKeepingCommasInsideValues() throws SQLException {
        assertThat(
                        MySqlSessionSettings.split(
                                "SET sql_mode = 'ANSI_QUOTES,STRICT_ALL_TABLES', @@session.wait_timeout=60, @u := CONCAT('a', 'b');"))
                .containsExactly(
                        "SET SESSION sql_mode = 'ANSI_QUOTES,STRICT_ALL_TABLES'",
                        "SET SESSION wait_timeout = 60",
                        "SET @u = CONCAT('a', 'b')");
        assertThat(MySqlSessionSettings.split("set local time_zone='+00:00'"))
                .containsExactly("SET SESSION time_zone = '+00:00'");
    }

    @Test
    void namesAndUndoesEachKind() {
        assertThat(MySqlSessionSettings.name("SET SESSION SQL_MODE = 'x'")).isEqualTo("sql_mode");
        assertThat(MySqlSessionSettings.name("SET @u = 1")).isEqualTo("@u");
        assertThat(MySqlSessionSettings.undo("sql_mode")).isEqualTo("SET SESSION sql_mode = DEFAULT");
        assertThat(MySqlSessionSettings.undo("@u")).isEqualTo("SET @u = NULL");
    }

    @Test
    void refusesWhatCannotBeReplayedPerSession() {
        assertThatThrownBy(() -> MySqlSessionSettings.split("SET GLOBAL max_connections = 10"))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"))
                .hasMessageContaining("max_connections");
        assertThatThrownBy(() -> MySqlSessionSettings.split("SET @@global.wait_timeout = 1"))
                .hasMessageContaining("global");
        assertThatThrownBy(() -> MySqlSessionSettings.split("SET PASSWORD = 'x'"))
                .isInstanceOf(SQLException.class);
    }
}
