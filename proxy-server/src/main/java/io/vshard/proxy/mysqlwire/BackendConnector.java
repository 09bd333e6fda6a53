package io.vshard.proxy.mysqlwire;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens the JDBC connection a client session runs its commands on. Called from the proxy's JDBC
 * executor, never from an event loop; the returned connection is used by one session at a time and
 * closed by the proxy.
 */
@FunctionalInterface
public interface BackendConnector {
    /**
     * Opens a connection for an authenticated user.
     *
     * @param user the MySQL user name the client logged in with
     * @param database the default database the client asked for, or {@code null}
     */
    Connection open(String user, String database) throws SQLException;
}
