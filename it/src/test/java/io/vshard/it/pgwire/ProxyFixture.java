package io.vshard.it.pgwire;

import io.netty.util.ResourceLeakDetector;
import io.vshard.proxy.pgwire.PgAuthMethod;
import io.vshard.proxy.pgwire.PgProxyConfig;
import io.vshard.proxy.pgwire.PgProxyServer;
import io.vshard.proxy.pgwire.PgUser;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/** A uniquely named PostgreSQL database with a vshard proxy in front of it; close drops both. */
final class ProxyFixture implements AutoCloseable {

    static final String USER = "alice";
    static final String PASSWORD = "s3cret-pw";
    static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    final String database;
    final PgProxyServer server;
    final int port;

    ProxyFixture(PgAuthMethod method) throws Exception {
        this(PgProxyConfig.of(method, List.of(PgUser.fromPassword(USER, PASSWORD))));
    }

    ProxyFixture(PgProxyConfig config) throws Exception {
        database =
                "vshard_pgwire_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, "postgres", "");
                Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        }
        String backendUrl = "jdbc:postgresql://127.0.0.1:5432/" + database;
        server = new PgProxyServer(config, (user, db) -> DriverManager.getConnection(backendUrl, "postgres", ""));
        port = server.start(0);
    }

    /** A pgjdbc connection through the proxy with default settings. */
    Connection connect() throws SQLException {
        return connect(new Properties());
    }

    Connection connect(Properties extra) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", PASSWORD);
        props.putAll(extra);
        return DriverManager.getConnection(url(), props);
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close() throws Exception {
        server.close();
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, "postgres", "");
                Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }
}
