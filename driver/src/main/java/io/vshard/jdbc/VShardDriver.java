package io.vshard.jdbc;

import io.vshard.config.ConfigReader;
import io.vshard.config.VShardConfig;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.manifest.codec.YamlException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code jdbc:vshard:} driver. URLs: {@code jdbc:vshard:<path-to-config.yaml>} (relative to the working
 * directory) or {@code jdbc:vshard:classpath:<resource>} (a configuration on the class path, as a file),
 * optionally followed by {@code ?property=value&...} (see {@link DriverProperty}). Registered with
 * {@link DriverManager} through {@code META-INF/services/java.sql.Driver}. Thread safe.
 */
public final class VShardDriver implements Driver {
    /** The URL prefix. */
    public static final String PREFIX = "jdbc:vshard:";

    static final String NAME = "vshard";
    static final int MAJOR = 0;
    static final int MINOR = 1;

    static {
        try {
            DriverManager.registerDriver(new VShardDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Properties props = new Properties();
        if (info != null) {
            props.putAll(info);
        }
        Path config = configPath(url, props);
        VShardConfig parsed = read(config);
        String key = config.toString();
        Engine engine = SharedEngines.acquire(key, parsed, options(props));
        try {
            if (DriverProperty.CREATE_SCHEMAS.getBoolean(props)) {
                engine.createShardSchemasOnce();
            }
            return new VShardConnection(url, engine, () -> SharedEngines.release(key), props);
        } catch (SQLException | RuntimeException e) {
            SharedEngines.release(key);
            throw e;
        }
    }

    /**
     * A {@code jdbc:vshard:} connection over an engine the caller started and owns (the proxy, embedders,
     * tests running several router instances in one JVM); closing it leaves the engine running.
     */
    public static Connection connect(Engine engine, Properties info) throws SQLException {
        Properties props = info == null ? new Properties() : info;
        return new VShardConnection(PREFIX + "engine:" + engine.routerId(), engine, () -> {}, props);
    }

    /** Resolves the configuration file a URL names and moves its query-string properties into {@code props}. */
    static Path configPath(String url, Properties props) throws SQLException {
        String rest = url.substring(PREFIX.length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw VShardSQLException.of(
                            VShardState.MALFORMED_URL, null, url, "'" + pair + "' is not name=value");
                }
                props.setProperty(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            rest = rest.substring(0, q);
        }
        if (rest.isBlank()) {
            throw VShardSQLException.of(
                    VShardState.MALFORMED_URL,
                    null,
                    url,
                    "no configuration file; expected jdbc:vshard:<path-to-config.yaml> or"
                            + " jdbc:vshard:classpath:<resource>");
        }
        Path path;
        if (rest.startsWith("classpath:")) {
            String resource = rest.substring("classpath:".length()).replaceFirst("^/", "");
            URL found = Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader().getResource(resource)
                    : VShardDriver.class.getClassLoader().getResource(resource);
            if (found == null) {
                throw VShardSQLException.of(
                        VShardState.CONFIG_NOT_FOUND,
                        null,
                        "classpath:" + resource,
                        "no such resource on the class path");
            }
            if (!"file".equals(found.getProtocol())) {
                throw VShardSQLException.of(
                        VShardState.CONFIG_NOT_FOUND,
                        null,
                        "classpath:" + resource,
                        "the resource is inside " + found.getProtocol()
                                + "; vshard needs it as a file so that relative manifest paths resolve");
            }
            try {
                path = Path.of(found.toURI());
            } catch (URISyntaxException e) {
                throw VShardSQLException.of(VShardState.MALFORMED_URL, e, url, e.getMessage());
            }
        } else {
            try {
                path = Path.of(rest);
            } catch (RuntimeException e) {
                throw VShardSQLException.of(VShardState.MALFORMED_URL, e, url, e.getMessage());
            }
        }
        try {
            return path.toRealPath();
        } catch (NoSuchFileException e) {
            throw VShardSQLException.of(VShardState.CONFIG_NOT_FOUND, e, path.toAbsolutePath(), "no such file");
        } catch (IOException e) {
            throw VShardSQLException.of(VShardState.CONFIG_NOT_FOUND, e, path.toAbsolutePath(), e.toString());
        }
    }

    private static VShardConfig read(Path config) throws SQLException {
        try {
            return ConfigReader.read(config);
        } catch (YamlException e) {
            throw VShardSQLException.of(VShardState.CONFIG_INVALID, e, e.getMessage());
        } catch (IOException e) {
            throw VShardSQLException.of(VShardState.CONFIG_NOT_FOUND, e, config, e.toString());
        }
    }

    private static EngineOptions options(Properties props) throws SQLException {
        return new EngineOptions(
                DriverProperty.CONNECT_TIMEOUT_MILLIS.getLong(props),
                (int) Math.max(1, DriverProperty.FAN_OUT_THREADS.getLong(props)),
                DriverProperty.PARSE_CACHE_ENTRIES.getLong(props),
                Duration.ofSeconds(Math.max(1, DriverProperty.HEARTBEAT_SECONDS.getLong(props))),
                "driver");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        Properties props = info == null ? new Properties() : info;
        DriverProperty[] all = DriverProperty.values();
        DriverPropertyInfo[] out = new DriverPropertyInfo[all.length];
        for (int i = 0; i < all.length; i++) {
            out[i] = all[i].info(props);
        }
        return out;
    }

    @Override
    public int getMajorVersion() {
        return MAJOR;
    }

    @Override
    public int getMinorVersion() {
        return MINOR;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw VShardSQLException.unsupported("Driver.getParentLogger");
    }
}
