package io.vshard.proxy.pgwire;

import io.vshard.config.DataSourceConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a raw wire connection to a PostgreSQL data source goes, read from its pgjdbc URL
 * ({@code jdbc:postgresql://host[:port]/database[?user=..&password=..]}) and credentials.
 *
 * <p>{@code unixSocket=/path} in the URL sends raw connections over the server's Unix socket instead: the socket
 * file ({@code /var/run/postgresql/.s.PGSQL.5432}) or, as libpq's {@code host}, its directory (the file name then
 * comes from the port). Only the proxy's own relay reads it (pgjdbc ignores parameters it does not know, so the
 * engine's pooled connections keep using host and port): a Unix socket spares the proxy the loopback TCP delivery
 * that was the largest single cost of a relayed statement (BENCHMARKS.md, PostgreSQL proxy, session 4). Host and
 * port still serve cancel requests.
 *
 * @param host the server host
 * @param port the server port
 * @param socket the server's Unix socket file, or {@code null} for TCP to host and port
 * @param database the database
 * @param user the login
 * @param password the password, or {@code null}
 */
record BackendAddress(String host, int port, String socket, String database, String user, String password) {

    private static final String PREFIX = "jdbc:postgresql://";
    private static final String SOCKET_FILE = ".s.PGSQL.";

    /**
     * The address of {@code source}, or {@code null} when its URL asks for what a raw connection does not do
     * (several hosts, TLS, a Unix socket, other connection options that change the session).
     */
    static BackendAddress of(DataSourceConfig source) {
        String url = source.url();
        if (!url.startsWith(PREFIX)) {
            return null;
        }
        String rest = url.substring(PREFIX.length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : decode(rest.substring(slash + 1));
        if (hostPort.isEmpty() || hostPort.contains(",") || hostPort.startsWith("[")) {
            return null;
        }
        String user = source.user();
        String password = source.password();
        String socket = null;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            switch (name) {
                case "user" -> user = user == null ? value : user;
                case "password" -> password = password == null ? value : password;
                case "unixsocket" -> socket = value.isEmpty() ? null : value;
                case "applicationname", "connecttimeout", "sockettimeout", "tcpkeepalive", "logintimeout" -> {
                    // Client-side or cosmetic: a raw connection behaves the same without them.
                }
                default -> {
                    return null;
                }
            }
        }
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port;
        try {
            port = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (user == null || user.isEmpty()) {
            return null;
        }
        return new BackendAddress(
                host, port, socketFile(socket, port), database.isEmpty() ? user : database, user, password);
    }

    /** The socket file a {@code unixSocket} value names: itself, or {@code .s.PGSQL.<port>} in that directory. */
    private static String socketFile(String socket, int port) {
        if (socket == null) {
            return null;
        }
        String trimmed =
                socket.endsWith("/") && socket.length() > 1 ? socket.substring(0, socket.length() - 1) : socket;
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return name.startsWith(SOCKET_FILE) ? trimmed : trimmed + "/" + SOCKET_FILE + port;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        String where = socket == null ? host + ":" + port : socket;
        return "BackendAddress[" + where + "/" + database + ", user=" + user + "]";
    }
}
