package io.vshard.proxy.mysqlwire;

import io.vshard.config.DataSourceConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a MySQL or MariaDB data source listens and whom to log in as, read from its JDBC URL
 * ({@code jdbc:mariadb://host[:port]/...} or {@code jdbc:mysql://...}) and its configured user.
 *
 * @param name the data source name
 * @param host the host
 * @param port the port
 * @param user the user, never null
 * @param password the password, never null (empty when none); never printed
 */
record BackendAddress(String name, String host, int port, String user, String password) {
    private static final Pattern URL = Pattern.compile("jdbc:(?:mariadb|mysql)://([^/:?,]+)(?::(\\d+))?(?:[/?].*)?");

    /** The address of a data source, or {@code null} when its URL is not a plain single-host MySQL URL. */
    static BackendAddress of(DataSourceConfig ds) {
        Matcher m = URL.matcher(ds.url());
        if (!m.matches()) {
            return null;
        }
        return new BackendAddress(
                ds.name(),
                m.group(1),
                m.group(2) == null ? 3306 : Integer.parseInt(m.group(2)),
                ds.user() == null ? "" : ds.user(),
                ds.password() == null ? "" : ds.password());
    }

    @Override
    public String toString() {
        return "BackendAddress[" + name + ", " + host + ":" + port + ", user=" + user + "]";
    }
}
