package io.vshard.proxy.mysqlwire;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one authenticated client over its backend JDBC connection: autocommit and transaction
 * status, the current database, and the server-side prepared statements. Every method runs on a JDBC
 * executor thread, and the command handler runs at most one at a time per session (it reads the next
 * command only after the previous response was written), so the fields need no locking.
 */
final class MySqlSession {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlSession.class);

    private final ServerResources resources;
    private final ResponseWriter writer;
    private final String user;
    private final PreparedCommands prepared;
    private Connection connection;
    private String database;
    private boolean autoCommit = true;
    private boolean restoreAutoCommit;
    /** Whether a SET changed the session, whose settings the relayed backend links would not carry. */
    private boolean settingsChanged;

    MySqlSession(ServerResources resources, Connection connection, ResponseWriter writer, String user, String db) {
        this.resources = resources;
        this.connection = connection;
        this.writer = writer;
        this.user = user;
        this.database = db;
        this.prepared = new PreparedCommands(this);
        try {
            this.autoCommit = connection.getAutoCommit();
        } catch (SQLException e) {
            LOG.debug("autocommit state unknown, assuming on: {}", e.getSQLState());
        }
    }

    /** The engine the session runs on, or {@code null} over a plain JDBC backend. */
    io.vshard.engine.Engine engine() {
        return resources.config().backend() instanceof EngineBackend e ? e.engine() : null;
    }

    Connection connection() {
        return connection;
    }

    ResponseWriter writer() {
        return writer;
    }

    PreparedCommands prepared() {
        return prepared;
    }

    /** Whether single-shard reads may bypass the engine: no transaction open and no session setting changed. */
    boolean relayable() {
        if (!autoCommit || settingsChanged) {
            return false;
        }
        try {
            // The engine session is the truth: a client may open a transaction in ways the proxy does not parse.
            return connection.getAutoCommit();
        } catch (SQLException e) {
            return false;
        }
    }

    int status() {
        return autoCommit ? ServerStatus.AUTOCOMMIT : ServerStatus.IN_TRANS;
    }

    void sendOk() {
        writer.ok(0, 0, status(), 0, "");
    }

    void ping() {
        sendOk();
    }

    void fieldList() {
        writer.endOfRows(status());
    }

    void setOption() {
        writer.endOfRows(status());
    }

    void initDb(String name) throws SQLException {
        connection.setCatalog(name);
        database = name;
        sendOk();
    }

    /** Runs COM_QUERY: session statements through the JDBC API, everything else through the backend. */
    void query(String sql) throws SQLException {
        SessionStatement statement = SessionStatement.classify(sql);
        switch (statement.kind()) {
            case SET_NAMES -> sendOk();
            case SET_AUTOCOMMIT -> {
                connection.setAutoCommit(statement.on());
                autoCommit = statement.on();
                restoreAutoCommit = false;
                sendOk();
            }
            case BEGIN -> {
                if (autoCommit) {
                    connection.setAutoCommit(false);
                    autoCommit = false;
                    restoreAutoCommit = true;
                } else {
                    connection.commit();
                }
                sendOk();
            }
            case COMMIT, ROLLBACK -> {
                if (!autoCommit) {
                    if (statement.kind() == SessionStatement.Kind.COMMIT) {
                        connection.commit();
                    } else {
                        connection.rollback();
                    }
                }
                endTransaction();
                sendOk();
            }
            default -> execute(sql);
        }
    }

    private void endTransaction() throws SQLException {
        if (restoreAutoCommit) {
            connection.setAutoCommit(true);
            autoCommit = true;
            restoreAutoCommit = false;
        }
    }

    private void execute(String sql) throws SQLException {
        if (sql.stripLeading().regionMatches(true, 0, "set", 0, 3)) {
            settingsChanged = true;
        }
        boolean keys = SessionStatement.generatesKeys(sql);
        try (Statement statement = connection.createStatement()) {
            boolean isResultSet =
                    keys ? statement.execute(sql, Statement.RETURN_GENERATED_KEYS) : statement.execute(sql);
            while (true) {
                int count = -1;
                long insertId = 0;
                if (isResultSet) {
                    try (ResultSet rs = statement.getResultSet()) {
                        ResultSetWriter.writeBody(writer, rs, false, status());
                    }
                } else {
                    count = statement.getUpdateCount();
                    insertId = keys ? lastInsertId(statement) : 0;
                }
                boolean nextIsResultSet;
                boolean more;
                try {
                    nextIsResultSet = statement.getMoreResults();
                    more = nextIsResultSet || statement.getUpdateCount() != -1;
                } catch (SQLException e) {
                    // The failed statement's ERR follows this result, so the client must expect more.
                    finishResult(isResultSet, count, insertId, status() | ServerStatus.MORE_RESULTS_EXISTS);
                    throw e;
                }
                finishResult(isResultSet, count, insertId, status() | (more ? ServerStatus.MORE_RESULTS_EXISTS : 0));
                if (!more) {
                    return;
                }
                isResultSet = nextIsResultSet;
            }
        }
    }

    private void finishResult(boolean isResultSet, int count, long insertId, int status) {
        if (isResultSet) {
            writer.endOfRows(status);
        } else {
            writer.ok(Math.max(count, 0), insertId, status, 0, "");
        }
    }

    static long lastInsertId(Statement statement) {
        try (ResultSet keys = statement.getGeneratedKeys()) {
            if (keys != null && keys.next()) {
                long id = keys.getLong(1);
                return keys.wasNull() ? 0 : id;
            }
        } catch (SQLException e) {
            LOG.debug("no generated keys: {}", e.getSQLState());
        }
        return 0;
    }

    /** COM_RESET_CONNECTION: drops statements and transaction, and opens a fresh backend session. */
    void reset() throws SQLException {
        prepared.closeAll();
        Connection fresh = resources.config().backend().open(user, database);
        Connection old = connection;
        connection = fresh;
        autoCommit = fresh.getAutoCommit();
        restoreAutoCommit = false;
        settingsChanged = false;
        closeConnection(old);
        sendOk();
    }

    void closeQuietly() {
        prepared.closeAll();
        closeConnection(connection);
    }

    private static void closeConnection(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            LOG.debug("rollback on close failed: {}", e.getSQLState());
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("close failed: {}", e.getSQLState());
        }
    }
}
