package io.vshard.proxy.pgwire;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens the JDBC connection that serves one client session, after the client authenticated. Called on a worker
 * thread, never on an event loop; the proxy closes the connection when the session ends.
 */
@FunctionalInterface
public interface BackendConnector {

    /** Opens a connection for an authenticated {@code user} asking for {@code database}. */
    Connection open(String user, String database) throws SQLException;
}
