package io.vshard.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the demo's fleet lives: embedded H2 files under the data directory (the default), or uniquely named
 * databases on a local PostgreSQL or MySQL/MariaDB server. A server run names everything it creates
 * {@code vshard_demo_<UTC time>_<random>_...}: on PostgreSQL four databases (the data sources, each holding its
 * shards as schemas) and a control database; on MySQL, where a schema is a database, one database per logical
 * shard and a control database. {@link #drop()} removes them at the end of the run unless {@code --keep}.
 */
final class DemoBackend {
    /** The backend kinds {@code --backend} accepts. */
    enum Kind {
        EMBEDDED,
        POSTGRES,
        MYSQL
    }

    static final String[] DATA_SOURCES = {"db_a", "db_b", "db_c", "db_d"};

    private final Kind kind;
    private final String server;
    private final String user;
    private final String password;
    private final String prefix;

    private DemoBackend(Kind kind, String server, String user, String password, String prefix) {
        this.kind = kind;
        this.server = server;
        this.user = user;
        this.password = password;
        this.prefix = prefix;
    }

    /**
     * The backend {@code name} ({@code embedded}, {@code postgres} or {@code mysql}); {@code url}, {@code user}
     * and {@code password} reach the server (null for the local defaults).
     */
    static DemoBackend of(String name, String url, String user, String password) {
        Kind kind =
                switch (name == null ? "embedded" : name.toLowerCase(Locale.ROOT)) {
                    case "embedded", "h2" -> Kind.EMBEDDED;
                    case "postgres", "postgresql" -> Kind.POSTGRES;
                    case "mysql", "mariadb" -> Kind.MYSQL;
                    default ->
                        throw new IllegalArgumentException(
                                "--backend must be embedded, postgres or mysql, not '" + name + "'");
                };
        String prefix = "vshard_demo_"
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")) + "_"
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        return switch (kind) {
            case EMBEDDED -> new DemoBackend(kind, null, "sa", "", null);
            case POSTGRES ->
                new DemoBackend(
                        kind,
                        url != null ? url : "jdbc:postgresql://127.0.0.1:5432/postgres",
                        user != null ? user : "postgres",
                        password != null ? password : "",
                        prefix);
            case MYSQL ->
                new DemoBackend(
                        kind,
                        url != null ? url : "jdbc:mariadb://127.0.0.1:3306/",
                        user != null ? user : "root",
                        password != null ? password : "",
                        prefix);
        };
    }

    Kind kind() {
        return kind;
    }

    boolean embedded() {
        return kind == Kind.EMBEDDED;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** What the shards are, for the story's first lines. */
    String describe() {
        return switch (kind) {
            case EMBEDDED -> "embedded H2 shards";
            case POSTGRES -> "PostgreSQL at " + server + ", databases " + prefix + "_*";
            case MYSQL -> "MySQL at " + server + ", databases " + prefix + "_*";
        };
    }

    /** The name every database this run creates starts with (null when embedded). */
    String prefix() {
        return prefix;
    }

    /**
     * The placement's schema pattern of manifest {@code version}: v1's shards in {@code shard_NNN}, v2's in
     * {@code v2_shard_NNN} of the same data sources, so no v2 shard shares a place with a v1 shard and the drain
     * empties v1's tables whole instead of deleting its old copies row by row (every row moves anyway: v1's shard
     * and v2's coincide for about one creator in 128). MySQL's schemas are databases, so they carry the run's
     * prefix.
     */
    String schemaPattern(int version) {
        if (kind == Kind.MYSQL) {
            return prefix + (version == 1 ? "_s%03d" : "_v" + version + "_s%03d");
        }
        return version == 1 ? "shard_%03d" : "v" + version + "_shard_%03d";
    }

    /** The default shard's schema (unsharded tables). */
    String defaultSchema() {
        return kind == Kind.MYSQL ? prefix + "_default" : "public";
    }

    /** Creates the server databases this run needs (nothing when embedded: H2 creates its files). */
    void create() throws SQLException {
        if (kind == Kind.EMBEDDED) {
            return;
        }
        try (Connection c = DriverManager.getConnection(server, user, password);
                Statement st = c.createStatement()) {
            if (kind == Kind.POSTGRES) {
                for (String ds : DATA_SOURCES) {
                    st.execute("CREATE DATABASE " + prefix + "_" + ds);
                }
            } else {
                st.execute("CREATE DATABASE " + defaultSchema());
            }
            st.execute("CREATE DATABASE " + prefix + "_control");
        } catch (SQLException e) {
            throw new SQLException(
                    "creating the demo's databases " + prefix + "_* at " + server + ": " + e.getMessage(),
                    e.getSQLState(),
                    e);
        }
    }

    /** The JDBC URL of data source {@code ds}. */
    String dataSourceUrl(String ds, String h2File) {
        return switch (kind) {
            case EMBEDDED -> "jdbc:h2:file:" + h2File + DemoFleet.H2_OPTIONS + DemoFleet.KEEP_OPEN;
            case POSTGRES -> withDatabase(server, prefix + "_" + ds);
            case MYSQL -> withDatabase(server, defaultSchema());
        };
    }

    /** The control store's JDBC URL. */
    String controlUrl(String h2File) {
        return switch (kind) {
            case EMBEDDED -> "jdbc:h2:file:" + h2File + ";DATABASE_TO_LOWER=TRUE" + DemoFleet.KEEP_OPEN;
            case POSTGRES, MYSQL -> withDatabase(server, prefix + "_control");
        };
    }

    /** Drops every database this run created (the names starting with {@link #prefix()}). */
    List<String> drop() throws SQLException {
        List<String> dropped = new ArrayList<>();
        if (kind == Kind.EMBEDDED) {
            return dropped;
        }
        try (Connection c = DriverManager.getConnection(server, user, password);
                Statement st = c.createStatement()) {
            for (String db : databases(c)) {
                st.execute(kind == Kind.POSTGRES ? "DROP DATABASE " + db + " WITH (FORCE)" : "DROP DATABASE " + db);
                dropped.add(db);
            }
        }
        return dropped;
    }

    /** The databases on the server whose names start with this run's prefix. */
    List<String> databases(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        String sql = kind == Kind.POSTGRES
                ? "SELECT datname FROM pg_database WHERE datname LIKE '" + prefix + "\\_%'"
                : "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '" + prefix + "\\_%'";
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** {@code url} with its database (the path after host:port) replaced by {@code database}. */
    static String withDatabase(String url, String database) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            throw new IllegalArgumentException("--url must look like jdbc:postgresql://host:port/database, not " + url);
        }
        int slash = url.indexOf('/', scheme + 3);
        int query = url.indexOf('?', scheme + 3);
        String host = slash < 0 ? (query < 0 ? url : url.substring(0, query)) : url.substring(0, slash);
        String rest = query < 0 ? "" : url.substring(query);
        return host + "/" + database + rest;
    }
}
