package io.vshard.jdbc;

import java.sql.DriverPropertyInfo;
import java.util.Properties;

/**
 * Every connection property of {@code jdbc:vshard:}, with its default and description. Properties come from
 * the {@link Properties} given to {@code connect} or from the URL's query string ({@code ?name=value&...}).
 * Engine-wide ones apply when the first connection for a configuration file starts its engine.
 */
public enum DriverProperty {
    /** Milliseconds to wait for a shard connection before failing with 08006. */
    CONNECT_TIMEOUT_MILLIS("connectTimeoutMillis", "10000", "milliseconds to wait for a shard connection"),
    /** Threads that open fan-out shard queries in parallel (engine-wide). */
    FAN_OUT_THREADS("fanOutThreads", "16", "threads that run fan-out shard queries in parallel (engine-wide)"),
    /** The SQL router's parse cache size (engine-wide). */
    PARSE_CACHE_ENTRIES("parseCacheEntries", "10000", "entries of the SQL parse cache (engine-wide)"),
    /** Seconds between router heartbeats in the control store (engine-wide). */
    HEARTBEAT_SECONDS("heartbeatSeconds", "10", "seconds between heartbeats in the control store (engine-wide)"),
    /** Create missing shard schemas (MySQL: databases) when the engine starts. */
    CREATE_SCHEMAS("createSchemas", "false", "create missing shard schemas or databases at startup (engine-wide)"),
    /** The fetch size statements start with. */
    DEFAULT_FETCH_SIZE("defaultFetchSize", "0", "the fetch size new statements start with (0 = backend default)");

    private final String key;
    private final String defaultValue;
    private final String description;

    DriverProperty(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The property name. */
    public String key() {
        return key;
    }

    /** The default value. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The description. */
    public String description() {
        return description;
    }

    /** The value in {@code props}, or the default. */
    public String get(Properties props) {
        return props.getProperty(key, defaultValue);
    }

    /** The value as a long. */
    public long getLong(Properties props) throws VShardSQLException {
        String v = get(props);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new VShardSQLException(
                    VShardState.MALFORMED_URL, e, key + "=" + v, "property " + key + " must be an integer");
        }
    }

    /** The value as a boolean. */
    public boolean getBoolean(Properties props) {
        return Boolean.parseBoolean(get(props).trim());
    }

    /** The property described for {@code getPropertyInfo}. */
    public DriverPropertyInfo info(Properties props) {
        DriverPropertyInfo i = new DriverPropertyInfo(key, get(props));
        i.description = description;
        i.required = false;
        return i;
    }
}
