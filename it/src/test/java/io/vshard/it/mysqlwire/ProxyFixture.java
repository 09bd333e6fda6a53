package io.vshard.it.mysqlwire;

import io.vshard.proxy.mysqlwire.AuthPlugin;
import io.vshard.proxy.mysqlwire.MySqlProxyConfig;
import io.vshard.proxy.mysqlwire.MySqlProxyServer;
import io.vshard.proxy.mysqlwire.MySqlUser;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A MySQL proxy in front of the real local MariaDB, with a uniquely named database created for the test
 * and dropped on close. Users: {@code app/app-secret} (native), {@code sha/sha-secret} (caching_sha2).
 */
final class ProxyFixture implements AutoCloseable {
    static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/";

    static {
        LeakCounter.install();
    }

    final String database = "vshard_mysqlwire_" + UUID.randomUUID().toString().substring(0, 8);
    final MySqlProxyServer server;
    final int port;

    ProxyFixture() throws Exception {
        this(UnaryOperator.identity());
    }

    ProxyFixture(UnaryOperator<MySqlProxyConfig> tune) throws Exception {
        try (Connection c = DriverManager.getConnection(MARIADB + "?user=root");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        MySqlProxyConfig config = MySqlProxyConfig.of(
                List.of(
                        new MySqlUser("app", "app-secret", AuthPlugin.MYSQL_NATIVE_PASSWORD),
                        new MySqlUser("sha", "sha-secret", AuthPlugin.CACHING_SHA2_PASSWORD)),
                ProxyFixture::backend);
        server = new MySqlProxyServer(tune.apply(config));
        port = server.start(0);
    }

    static Connection backend(String user, String database) throws SQLException {
        String db = database == null ? "" : database;
        return DriverManager.getConnection(MARIADB + db + "?user=root&allowMultiQueries=true");
    }

    String connectorJ(String user, String password, String options) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database + "?user=" + user + "&password=" + password
                + "&sslMode=DISABLED&connectionTimeZone=SERVER" + (options.isEmpty() ? "" : "&" + options);
    }

    Connection app(String options) throws SQLException {
        return DriverManager.getConnection(connectorJ("app", "app-secret", options));
    }

    @Override
    public void close() throws Exception {
        server.close();
        try (Connection c = DriverManager.getConnection(MARIADB + "?user=root");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
        }
    }
}
