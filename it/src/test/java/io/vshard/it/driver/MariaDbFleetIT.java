package io.vshard.it.driver;

import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.ShardLocation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The driver suite on the local MariaDB: logical shards are databases, reached through two data sources. */
class MariaDbFleetIT extends ShardedFleetSuite {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";

    private String prefix() {
        return "vit_" + id + "_";
    }

    @Override
    List<FleetFiles.Source> sources() {
        return List.of(
                new FleetFiles.Source("my_a", SERVER, "root"),
                new FleetFiles.Source("my_b", "jdbc:mariadb://127.0.0.1:3306/?connectTimeout=2000", "root"));
    }

    @Override
    List<PlacementRule> placement() {
        return List.of(
                new PlacementRule(0, 3, "my_a", prefix() + "s%03d"),
                new PlacementRule(4, 7, "my_b", prefix() + "s%03d"));
    }

    @Override
    String defaultSchema() {
        return prefix() + "default";
    }

    @Override
    Connection direct(ShardLocation location) throws SQLException {
        return DriverManager.getConnection(SERVER + location.schema(), "root", "");
    }

    @Override
    Connection reference() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", "");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + prefix() + "ref");
        }
        return DriverManager.getConnection(SERVER + prefix() + "ref", "root", "");
    }

    @Override
    String qualified(ShardLocation location, String table) {
        return location.schema() + "." + table;
    }

    @Override
    void dropAll() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", "");
                Statement st = c.createStatement()) {
            List<String> dbs = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SHOW DATABASES LIKE '" + prefix() + "%'")) {
                while (rs.next()) {
                    dbs.add(rs.getString(1));
                }
            }
            for (String d : dbs) {
                st.execute("DROP DATABASE `" + d + "`");
            }
        }
    }
}
