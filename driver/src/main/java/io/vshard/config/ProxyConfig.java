package io.vshard.config;

/**
 * The proxy's listening ports; 0 means the front end is off.
 *
 * @param postgresPort the PostgreSQL wire protocol port
 * @param mysqlPort the MySQL wire protocol port
 * @param httpPort the HTTP (metrics, health) port
 */
public record ProxyConfig(int postgresPort, int mysqlPort, int httpPort) {
    /** The defaults when the section is absent. */
    public static final ProxyConfig DEFAULT = new ProxyConfig(7432, 7306, 7080);
}
