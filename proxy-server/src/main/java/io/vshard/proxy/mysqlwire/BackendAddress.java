package io.vshard.proxy.mysqlwire;

import io.vshard.config.DataSourceConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a MySQL or MariaDB data source listens and whom to log in as, read from its JDBC URL
 * ({@code jdbc:mariadb://host[:port]/...} or {@code jdbc:mysql://...}) and its configured user. A MariaDB URL
 * with {@code localSocket=/path} (the MariaDB driver's option for a server on the same machine) names a Unix
 * socket, which the relay uses too: cheaper for the proxy than loopback TCP (BENCHMARKS.md, MySQL proxy, session
 * 4).
 *
 * @param name the data source name
 * @param host the host
 * @param port the port
 * @param socket the Unix socket path, or {@code null} for TCP to host and port
 * @param user the user, never null
 * @param password the password, never null (empty when none); never printed
 */
record BackendAddress(String name, String host, int port, String socket, String user, String password) {
    private static final Pattern URL =
            Pattern.compile("jdbc:(mariadb|mysql)://([^/:?,]+)(?::(\\d+))?(?:/[^?]*)?(?:\\?(.*))?");

    /** The address of a data source, or {@code null} when its URL is not a plain single-host MySQL URL. */
    static BackendAddress of(DataSourceConfig ds) {
        Matcher m = URL.matcher(ds.url());
        if (!m.matches()) {
            return null;
        }
        String socket =
                m.group(1).equals("mariadb") && m.group(4) != null ? parameter(m.group(4), "localSocket") : null;
        return new BackendAddress(
                ds.name(),
                m.group(2),
                m.group(3) == null ? 3306 : Integer.parseInt(m.group(3)),
                socket,
                ds.user() == null ? "" : ds.user(),
                ds.password() == null ? "" : ds.password());
    }

    /** The value of URL query parameter {@code key} (as the driver reads it), or {@code null}. */
    private static String parameter(String query, String key) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(key) && eq + 1 < pair.length()) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        String where = socket == null ? host + ":" + port : socket;
        return "BackendAddress[" + name + ", " + where + ", user=" + user + "]";
    }
}
