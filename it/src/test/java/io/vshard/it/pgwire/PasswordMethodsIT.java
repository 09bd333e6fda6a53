package io.vshard.it.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.proxy.pgwire.PgAuthMethod;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The md5 and cleartext password methods a config may ask for, with pgjdbc and psql through the proxy. */
class PasswordMethodsIT {

    @ParameterizedTest
    @EnumSource(
            value = PgAuthMethod.class,
            names = {"MD5", "CLEARTEXT"})
    void theRightPasswordGetsInAndAWrongOneGets28P01(PgAuthMethod method) throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(method)) {
            try (Connection c = fixture.connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT 40 + 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
            assertThatThrownBy(() -> DriverManager.getConnection(fixture.url(), ProxyFixture.USER, "wrong"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
            assertThatThrownBy(() -> DriverManager.getConnection(fixture.url(), "mallory", ProxyFixture.PASSWORD))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));

            assertThat(psql(fixture, ProxyFixture.PASSWORD)).contains("42");
            assertThat(psql(fixture, "wrong")).contains("password authentication failed");
        }
    }

    private static String psql(ProxyFixture fixture, String password) throws Exception {
        ProcessBuilder psql = new ProcessBuilder(
                "psql",
                "-X",
                "-At",
                "-c",
                "SELECT 40 + 2",
                "host=127.0.0.1 port=" + fixture.port + " user=" + ProxyFixture.USER + " dbname=" + fixture.database);
        psql.environment().put("PGPASSWORD", password);
        Process process = psql.redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
