package io.vshard.proxy.pgwire;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JDBC side of one client session: runs simple and extended query messages against the backend
 * {@link Connection} and writes the answers to an {@link Output}.
 *
 * <p>Threading: {@link #handle} runs on a worker thread, and {@link PgQueryHandler} submits a session's next
 * batch only after the previous one finished, so all state here is confined to one thread at a time (the
 * executor hand-off gives the happens-before edge). Only {@link #cancel} is called from other threads.
 *
 * <p>Transactions: BEGIN, COMMIT and ROLLBACK become {@code setAutoCommit(false)}, {@code commit()} and
 * {@code rollback()}, so any JDBC backend (the vshard driver included) sees standard calls; the proxy tracks the
 * I/T/E status for ReadyForQuery itself. Outside a transaction block each statement autocommits, also within
 * one multi-statement Query message (PostgreSQL would wrap those in one implicit transaction).
 */
final class PgSession implements AutoCloseable {

    /** Where a session writes its answers; {@code write} may block while the client is not reading. */
    interface Output {
        void write(BackendMessage message);

        void flush();
    }

    private static final int FLUSH_EVERY_ROWS = 256;

    private final Connection connection;
    private final Output out;
    private final PgWireStats stats;
    private final Map<String, PgStatement> statements = new HashMap<>();
    private final Map<String, PgPortal> portals = new HashMap<>();
    private final PgTransaction transaction;
    private boolean skipToSync;
    private volatile Statement running;
    private boolean endOfRows;

    PgSession(Connection connection, Output out, PgWireStats stats) {
        this.connection = connection;
        this.out = out;
        this.stats = stats;
        this.transaction = new PgTransaction(connection, warning -> out.write(PgErrors.notice(warning)));
    }

    /** Handles a batch of messages in order; returns false once the client sent Terminate. */
    boolean handle(List<FrontendMessage> batch) {
        for (FrontendMessage message : batch) {
            if (message instanceof FrontendMessage.Terminate) {
                return false;
            }
            if (message instanceof FrontendMessage.Query query) {
                simpleQuery(query.sql());
            } else if (message instanceof FrontendMessage.Sync) {
                sync();
            } else if (message instanceof FrontendMessage.Flush) {
                out.flush();
            } else if (!skipToSync) {
                extended(message);
            }
        }
        return true;
    }

    /** The JDBC connection serving this session. */
    Connection connection() {
        return connection;
    }

    /** 'I', 'T' or 'E', as the next ReadyForQuery would report it. */
    byte transactionStatus() {
        return transaction.status();
    }

    /** Whether an error made the session drop extended-protocol messages until the next Sync. */
    boolean skippingToSync() {
        return skipToSync;
    }

    /** The prepared statement named {@code name}, or {@code null}. */
    PgStatement findStatement(String name) {
        return statements.get(name);
    }

    /** Registers a statement whose Parse was answered elsewhere (replacing the unnamed one, as Parse does). */
    void register(String name, PgStatement statement) {
        closeQuietly(statements.put(name, statement));
    }

    /** Cancels the statement running right now, if any; safe from any thread. */
    void cancel() {
        Statement statement = running;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException ignored) {
                // The statement finished meanwhile; PostgreSQL also ignores late cancels.
            }
        }
    }

    private void simpleQuery(String sql) {
        skipToSync = false;
        closeUnnamed();
        List<SqlScanner.Piece> pieces = SqlScanner.split(sql);
        if (pieces.isEmpty()) {
            out.write(new BackendMessage.EmptyQueryResponse());
        }
        for (SqlScanner.Piece piece : pieces) {
            try {
                runSimple(piece.sql());
            } catch (SQLException e) {
                fail(e, piece.offset());
                break;
            }
        }
        out.write(new BackendMessage.ReadyForQuery(transaction.status()));
    }

    private void runSimple(String sql) throws SQLException {
        CommandTag tag = CommandTag.of(sql);
        transaction.checkNotAborted(tag);
        if (tag.kind() != CommandTag.Kind.OTHER) {
            out.write(new BackendMessage.CommandComplete(transaction.control(tag, sql)));
            return;
        }
        try (Statement statement = connection.createStatement()) {
            running = statement;
            boolean hasResultSet;
            long start = System.nanoTime();
            try {
                hasResultSet = statement.execute(sql);
            } finally {
                running = null;
                stats.statementExecuted(System.nanoTime() - start);
            }
            notices(statement.getWarnings());
            if (hasResultSet) {
                try (ResultSet rs = statement.getResultSet()) {
                    List<PgColumns.Column> columns = PgColumns.of(rs.getMetaData());
                    short[] text = new short[0];
                    out.write(PgColumns.describe(columns, text));
                    long rows = streamRows(rs, columns, text, 0);
                    out.write(new BackendMessage.CommandComplete(tag.forRows(rows)));
                }
            } else {
                out.write(new BackendMessage.CommandComplete(tag.forUpdateCount(statement.getUpdateCount())));
            }
            transaction.afterSuccess(tag);
        }
    }

    private void extended(FrontendMessage message) {
        try {
            if (message instanceof FrontendMessage.Parse parse) {
                parse(parse);
            } else if (message instanceof FrontendMessage.Bind bind) {
                bind(bind);
            } else if (message instanceof FrontendMessage.Describe describe) {
                describe(describe);
            } else if (message instanceof FrontendMessage.Execute execute) {
                execute(execute);
            } else if (message instanceof FrontendMessage.Close close) {
                close(close);
            } else {
                throw new SQLException(
                        "unexpected message " + message.getClass().getSimpleName(), "08P01");
            }
        } catch (SQLException e) {
            fail(e, 0);
            skipToSync = true;
        } catch (RuntimeException e) {
            fail(new SQLException(String.valueOf(e.getMessage()), "XX000", e), 0);
            skipToSync = true;
        }
    }

    private void parse(FrontendMessage.Parse parse) throws SQLException {
        if (!parse.statement().isEmpty() && statements.containsKey(parse.statement())) {
            throw new SQLException("prepared statement \"" + parse.statement() + "\" already exists", "42P05");
        }
        if (SqlScanner.split(parse.sql()).size() > 1) {
            throw new SQLException("cannot insert multiple commands into a prepared statement", "42601");
        }
        closeQuietly(statements.put(parse.statement(), new PgStatement(parse.sql(), parse.parameterTypes())));
        out.write(new BackendMessage.ParseComplete());
    }

    private void bind(FrontendMessage.Bind bind) throws SQLException {
        PgStatement statement = statement(bind.statement());
        if (!bind.portal().isEmpty() && portals.containsKey(bind.portal())) {
            throw new SQLException("portal \"" + bind.portal() + "\" already exists", "42P03");
        }
        int required = statement.rewritten.parameterCount();
        if (bind.values().size() != required) {
            throw new SQLException(
                    "bind message supplies " + bind.values().size() + " parameters, but prepared statement requires "
                            + required,
                    "08P01");
        }
        int formats = bind.parameterFormats().length;
        if (formats > 1 && formats != required) {
            throw new SQLException("bind message has " + formats + " parameter formats", "08P01");
        }
        PgPortal portal = new PgPortal(statement, bind.parameterFormats(), bind.values(), bind.resultFormats());
        closeQuietly(portals.put(bind.portal(), portal));
        out.write(new BackendMessage.BindComplete());
    }

    private void describe(FrontendMessage.Describe describe) throws SQLException {
        if (describe.kind() == 'S') {
            PgStatement statement = statement(describe.name());
            if (statement.isTransactionControl() || statement.isEmpty()) {
                out.write(new BackendMessage.ParameterDescription(new int[0]));
                out.write(new BackendMessage.NoData());
                return;
            }
            out.write(new BackendMessage.ParameterDescription(
                    statement.resolvedParameterTypes(connection).clone()));
            if (statement.columns() == null) {
                java.sql.ResultSetMetaData metaData =
                        statement.prepared(connection).getMetaData();
                statement.columns(metaData == null ? List.of() : PgColumns.of(metaData));
            }
            writeDescription(statement.columns(), new short[0]);
            return;
        }
        PgPortal portal = portal(describe.name());
        if (portal.statement.isTransactionControl() || portal.statement.isEmpty()) {
            out.write(new BackendMessage.NoData());
            return;
        }
        transaction.checkNotAborted(portal.statement.tag);
        run(portal);
        writeDescription(portal.columns, portal.resultFormats);
    }

    private void writeDescription(List<PgColumns.Column> columns, short[] formats) throws SQLException {
        if (columns == null || columns.isEmpty()) {
            out.write(new BackendMessage.NoData());
        } else {
            out.write(PgColumns.describe(columns, formats));
        }
    }

    private void execute(FrontendMessage.Execute execute) throws SQLException {
        PgPortal portal = portal(execute.portal());
        PgStatement statement = portal.statement;
        if (statement.isEmpty()) {
            out.write(new BackendMessage.EmptyQueryResponse());
            return;
        }
        transaction.checkNotAborted(statement.tag);
        if (statement.isTransactionControl()) {
            out.write(new BackendMessage.CommandComplete(transaction.control(statement.tag, statement.sql)));
            return;
        }
        run(portal);
        if (portal.resultSet == null && portal.columns != null && !portal.columns.isEmpty()) {
            out.write(new BackendMessage.CommandComplete(statement.tag.forRows(0)));
            return;
        }
        if (portal.resultSet == null) {
            out.write(new BackendMessage.CommandComplete(statement.tag.forUpdateCount(portal.updateCount)));
            return;
        }
        long rows = streamRows(portal.resultSet, portal.columns, portal.resultFormats, execute.maxRows());
        portal.rowsSent += rows;
        if (!endOfRows) {
            // Like PostgreSQL: reaching the row limit suspends, even if no row is left.
            out.write(new BackendMessage.PortalSuspended());
            return;
        }
        out.write(new BackendMessage.CommandComplete(statement.tag.forRows(portal.rowsSent)));
        portal.close();
    }

    /** Executes a portal once; later calls see its stored result. */
    private void run(PgPortal portal) throws SQLException {
        if (portal.executed) {
            return;
        }
        portal.executed = true;
        PgStatement statement = portal.statement;
        PreparedStatement ps = statement.prepared(connection);
        int[] order = statement.rewritten.parameterOrder();
        int[] types = statement.parameterTypes;
        for (int k = 0; k < order.length; k++) {
            int n = order[k];
            PgParameterDecoder.bind(ps, k + 1, portal.values.get(n), types[n], portal.binaryParameter(n));
        }
        running = ps;
        boolean hasResultSet;
        long start = System.nanoTime();
        try {
            hasResultSet = ps.execute();
        } finally {
            running = null;
            stats.statementExecuted(System.nanoTime() - start);
        }
        notices(ps.getWarnings());
        if (hasResultSet) {
            portal.resultSet = ps.getResultSet();
            if (statement.columns() == null || statement.columns().isEmpty()) {
                statement.columns(PgColumns.of(portal.resultSet.getMetaData()));
            }
            portal.columns = statement.columns();
        } else {
            portal.updateCount = ps.getUpdateCount();
            portal.columns = List.of();
        }
        transaction.afterSuccess(statement.tag);
    }

    private long streamRows(ResultSet rs, List<PgColumns.Column> columns, short[] formats, int maxRows)
            throws SQLException {
        long rows = 0;
        endOfRows = false;
        while (maxRows <= 0 || rows < maxRows) {
            if (!rs.next()) {
                endOfRows = true;
                break;
            }
            out.write(PgColumns.row(rs, columns, formats));
            rows++;
            if (rows % FLUSH_EVERY_ROWS == 0) {
                out.flush();
            }
        }
        return rows;
    }

    private void close(FrontendMessage.Close close) {
        if (close.kind() == 'S') {
            closeQuietly(statements.remove(close.name()));
        } else {
            closeQuietly(portals.remove(close.name()));
        }
        out.write(new BackendMessage.CloseComplete());
    }

    private void sync() {
        skipToSync = false;
        if (transaction.status() == 'I') {
            // Outside a transaction block every portal ends with the implicit transaction at Sync.
            portals.values().forEach(PgSession::closeQuietly);
            portals.clear();
        }
        out.write(new BackendMessage.ReadyForQuery(transaction.status()));
    }

    private void fail(SQLException e, int positionShift) {
        stats.statementFailed();
        transaction.failed();
        out.write(PgErrors.fromSqlException(e, positionShift));
    }

    private void notices(SQLWarning warning) throws SQLException {
        for (SQLWarning w = warning; w != null; w = w.getNextWarning()) {
            out.write(PgErrors.notice(w));
        }
        SQLWarning connectionWarnings = connection.getWarnings();
        if (connectionWarnings != null) {
            for (SQLWarning w = connectionWarnings; w != null; w = w.getNextWarning()) {
                out.write(PgErrors.notice(w));
            }
            connection.clearWarnings();
        }
    }

    private PgStatement statement(String name) throws SQLException {
        PgStatement statement = statements.get(name);
        if (statement == null) {
            throw new SQLException("prepared statement \"" + name + "\" does not exist", "26000");
        }
        return statement;
    }

    private PgPortal portal(String name) throws SQLException {
        PgPortal portal = portals.get(name);
        if (portal == null) {
            throw new SQLException("portal \"" + name + "\" does not exist", "34000");
        }
        return portal;
    }

    /** Drops the unnamed portal and statement, as a simple Query does. */
    void closeUnnamed() {
        closeQuietly(portals.remove(""));
        closeQuietly(statements.remove(""));
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // Closing a JDBC object of a finished statement; nothing the client could act on.
            }
        }
    }

    /** Rolls back an open transaction and closes every statement and the connection. */
    @Override
    public void close() {
        for (Iterator<PgPortal> it = portals.values().iterator(); it.hasNext(); ) {
            closeQuietly(it.next());
        }
        statements.values().forEach(PgSession::closeQuietly);
        transaction.abandon();
        closeQuietly(connection);
    }
}
