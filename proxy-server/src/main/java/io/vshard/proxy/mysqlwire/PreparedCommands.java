package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The COM_STMT_* commands of one session: each prepared statement is a JDBC {@link PreparedStatement} on
 * the session's connection; parameters arrive in the binary protocol and results leave in it. Confined to
 * the session's current JDBC task, like {@link MySqlSession}.
 */
final class PreparedCommands {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedCommands.class);
    /** Bound on statements per session, so a client cannot pile up backend resources without end. */
    private static final int MAX_STATEMENTS = 16_384;

    private final MySqlSession session;
    private final Map<Integer, ServerStatement> statements = new HashMap<>();
    private int nextId;

    PreparedCommands(MySqlSession session) {
        this.session = session;
    }

    void prepare(String sql) throws SQLException {
        if (statements.size() >= MAX_STATEMENTS) {
            throw new SQLException("Too many prepared statements in this session", "42000", 1461);
        }
        int parameters = PlaceholderCounter.count(sql);
        boolean keys = SessionStatement.generatesKeys(sql);
        PreparedStatement ps = keys
                ? session.connection().prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
                : session.connection().prepareStatement(sql);
        List<ColumnDefinition> columns = List.of();
        try {
            ResultSetMetaData md = ps.getMetaData();
            if (md == null && session.engine() != null) {
                // The engine knows a statement's shard only once its parameters are bound, but clients (sysbench)
                // read rows only when the prepare response announced columns.
                md = session.engine().describe(sql, parameters);
            }
            if (md != null) {
                columns = ResultSetWriter.columns(md);
            }
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
        int id = ++nextId;
        statements.put(id, new ServerStatement(ps, sql, parameters, keys));
        ResponseWriter out = session.writer();
        ByteBuf buf = out.buffer();
        buf.writeByte(0x00);
        buf.writeIntLE(id);
        buf.writeShortLE(columns.size());
        buf.writeShortLE(parameters);
        buf.writeByte(0);
        buf.writeShortLE(0);
        out.write(buf);
        if (parameters > 0) {
            ResultSetWriter.writeColumns(
                    out, java.util.Collections.nCopies(parameters, ColumnDefinition.parameter()), session.status());
        }
        if (!columns.isEmpty()) {
            ResultSetWriter.writeColumns(out, columns, session.status());
        }
    }

    void execute(ByteBuf in) throws SQLException {
        WireFormat.need(in, 9);
        int id = in.readIntLE();
        in.skipBytes(5); // cursor flags and iteration count: no cursors, one iteration
        ServerStatement statement = find(id, "mysqld_stmt_execute");
        if (statement.parameterCount() == 0
                && SessionStatement.classify(statement.sql()).kind() != SessionStatement.Kind.OTHER) {
            // Prepared BEGIN / COMMIT / SET autocommit change the session's transaction state like their text form.
            session.query(statement.sql());
            return;
        }
        PreparedStatement ps = statement.jdbc();
        try {
            bindParameters(statement, in);
            boolean isResultSet = ps.execute();
            if (isResultSet) {
                try (ResultSet rs = ps.getResultSet()) {
                    ResultSetWriter.writeBody(session.writer(), rs, true, session.status());
                }
                session.writer().endOfRows(session.status());
            } else {
                int count = ps.getUpdateCount();
                long insertId = statement.generatesKeys() ? MySqlSession.lastInsertId(ps) : 0;
                session.writer().ok(Math.max(count, 0), insertId, session.status(), 0, "");
            }
        } finally {
            statement.clearLongData();
        }
    }

    private void bindParameters(ServerStatement statement, ByteBuf in) throws SQLException {
        int count = statement.parameterCount();
        if (count == 0) {
            return;
        }
        int bitmapLength = (count + 7) / 8;
        WireFormat.need(in, bitmapLength + 1);
        byte[] nulls = new byte[bitmapLength];
        in.readBytes(nulls);
        int[] types = statement.parameterTypes();
        if (in.readByte() == 1) {
            WireFormat.need(in, 2 * count);
            for (int i = 0; i < count; i++) {
                types[i] = in.readUnsignedShortLE();
            }
        }
        PreparedStatement ps = statement.jdbc();
        ps.clearParameters();
        for (int i = 0; i < count; i++) {
            byte[] longData = statement.longData(i);
            if (longData != null) {
                BinaryParameterReader.bindLongData(ps, i + 1, types[i], longData);
            } else if ((nulls[i / 8] & (1 << (i % 8))) != 0) {
                ps.setNull(i + 1, java.sql.Types.NULL);
            } else {
                BinaryParameterReader.bind(ps, i + 1, types[i], in);
            }
        }
    }

    /** COM_STMT_SEND_LONG_DATA: no response, even on error (the error surfaces at execute). */
    void longData(ByteBuf in) {
        if (in.readableBytes() < 6) {
            return;
        }
        ServerStatement statement = statements.get(in.readIntLE());
        int parameter = in.readUnsignedShortLE();
        if (statement != null) {
            statement.appendLongData(parameter, ByteBufUtil.getBytes(in));
        }
    }

    void reset(ByteBuf in) throws SQLException {
        WireFormat.need(in, 4);
        find(in.readIntLE(), "mysqld_stmt_reset").clearLongData();
        session.sendOk();
    }

    /** COM_STMT_CLOSE: no response. */
    void close(ByteBuf in) {
        if (in.readableBytes() < 4) {
            return;
        }
        ServerStatement statement = statements.remove(in.readIntLE());
        if (statement != null) {
            closeQuietly(statement);
        }
    }

    void closeAll() {
        statements.values().forEach(PreparedCommands::closeQuietly);
        statements.clear();
    }

    /** The statement of a client's id, or {@code null}. */
    ServerStatement get(int id) {
        return statements.get(id);
    }

    private ServerStatement find(int id, String command) throws SQLException {
        ServerStatement statement = statements.get(id);
        if (statement == null) {
            throw new SQLException(
                    "Unknown prepared statement handler (" + Integer.toUnsignedString(id) + ") given to " + command,
                    "HY000",
                    ErrorCodes.UNKNOWN_STMT_HANDLER);
        }
        return statement;
    }

    private static void closeQuietly(ServerStatement statement) {
        try {
            statement.jdbc().close();
        } catch (SQLException e) {
            LOG.debug("closing a prepared statement failed: {}", e.getSQLState());
        }
    }
}
