package io.vshard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {

    @Test
    void remembersTheLastSetPerVariableInOrder() throws SQLException {
        SessionSettings s = new SessionSettings();
        for (String sql :
                new String[] {"SET statement_timeout = 1000", "SET TIME ZONE 'UTC'", "set Statement_Timeout TO 2000"}) {
            assertThat(SessionSettings.check(sql)).isEqualTo(SessionSettings.Effect.REMEMBERED);
            s.remember(sql);
        }
        assertThat(s.snapshot(true)).containsExactly("SET TIME ZONE 'UTC'", "set Statement_Timeout TO 2000");
    }

    @Test
    void searchPathReachesOnlyTheDefaultShard() {
        SessionSettings s = new SessionSettings();
        s.remember("SET search_path TO app, public");
        s.remember("SET application_name = 'x'");
        assertThat(s.snapshot(true)).containsExactly("SET search_path TO app, public", "SET application_name = 'x'");
        assertThat(s.snapshot(false)).containsExactly("SET application_name = 'x'");
    }

    @Test
    void resetForgetsOneOrAll() {
        SessionSettings s = new SessionSettings();
        s.remember("SET a.b = 1");
        s.remember("SET work_mem = '8MB'");
        s.remember("RESET work_mem");
        assertThat(s.snapshot(true)).containsExactly("SET a.b = 1");
        s.remember("DISCARD ALL");
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void resetTimeZoneForgetsSetTimeZone() {
        SessionSettings s = new SessionSettings();
        s.remember("SET TIME ZONE 'America/New_York'");
        s.remember("SET work_mem = '8MB'");
        s.remember("RESET TIME ZONE");
        assertThat(s.snapshot(false)).containsExactly("SET work_mem = '8MB'");
    }

    @Test
    void setLocalIsNotRememberedAndARollbackRestores() throws SQLException {
        SessionSettings s = new SessionSettings();
        assertThat(SessionSettings.check("SET LOCAL work_mem = '8MB'"))
                .isEqualTo(SessionSettings.Effect.TRANSACTION_ONLY);
        s.remember("SET LOCAL work_mem = '8MB'");
        assertThat(s.isEmpty()).isTrue();
        SessionSettings before = s.copy();
        s.remember("SET work_mem = '8MB'");
        s.restore(before);
        assertThat(s.snapshot(true)).isEmpty();
    }

    @Test
    void changingTheBackendRoleIsRefused() {
        assertThatThrownBy(() -> SessionSettings.check("SET ROLE postgres"))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("0A000");
        assertThatThrownBy(() -> SessionSettings.check("SET SESSION AUTHORIZATION postgres"))
                .isInstanceOf(SQLException.class);
    }
}
