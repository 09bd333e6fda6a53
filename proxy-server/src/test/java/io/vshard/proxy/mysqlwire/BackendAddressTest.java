package io.vshard.proxy.mysqlwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.config.DataSourceConfig;
import org.junit.jupiter.api.Test;

class BackendAddressTest {
    private static BackendAddress of(String url) {
        return BackendAddress.of(new DataSourceConfig("ds", url, "root", null, 4));
    }

    @Test
    void hostPortAndDefaults() {
        assertThat(of("jdbc:mariadb://db1:3307/shop?connectTimeout=2000"))
                .isEqualTo(new BackendAddress("ds", "db1", 3307, null, "root", ""));
        assertThat(of("jdbc:mysql://127.0.0.1/"))
                .isEqualTo(new BackendAddress("ds", "127.0.0.1", 3306, null, "root", ""));
        assertThat(of("jdbc:mariadb://a,b/")).as("several hosts: not relayed").isNull();
        assertThat(of("jdbc:postgresql://127.0.0.1/x")).isNull();
    }

    @Test
    void aMariaDbLocalSocketIsWhereTheRelayConnects() {
        assertThat(of("jdbc:mariadb://127.0.0.1:3306/?localSocket=/run/mysqld/mysqld.sock")
                        .socket())
                .isEqualTo("/run/mysqld/mysqld.sock");
        assertThat(of("jdbc:mariadb://localhost/?connectTimeout=2000&localSocket=%2Ftmp%2Fmy%20sql.sock")
                        .socket())
                .as("URL-encoded, after another option")
                .isEqualTo("/tmp/my sql.sock");
        assertThat(of("jdbc:mariadb://localhost/?localsocket=/x.sock").socket())
                .as("the driver's option name is case-sensitive")
                .isNull();
        assertThat(of("jdbc:mysql://localhost/?localSocket=/x.sock").socket())
                .as("not a MySQL Connector/J option: the JDBC side would use TCP, so the relay does too")
                .isNull();
        assertThat(of("jdbc:mariadb://localhost/?localSocket=").socket()).isNull();
    }

    @Test
    void thePasswordIsNeverPrinted() {
        BackendAddress a =
                BackendAddress.of(new DataSourceConfig("ds", "jdbc:mariadb://h/?localSocket=/s", "u", "secret", 4));
        assertThat(a.toString()).doesNotContain("secret").contains("/s");
    }
}
