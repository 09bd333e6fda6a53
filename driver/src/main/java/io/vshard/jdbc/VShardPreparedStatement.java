package io.vshard.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;

/**
 * A {@code jdbc:vshard:} prepared statement: parameters are collected here, then planned with the statement
 * (the shard key may be a parameter) and bound on the shard as a prepared statement. Not thread safe.
 */
final class VShardPreparedStatement extends VShardStatement implements PreparedStatement {
    private final String sql;
    private final boolean keys;
    private final List<String> keyColumns;
    private final List<Object> parameters = new ArrayList<>(4);
    // Made by the first addBatch (most prepared statements never batch).
    private List<List<Object>> batch;

    VShardPreparedStatement(VShardConnection connection, String sql, boolean keys, List<String> keyColumns) {
        super(connection);
        this.sql = sql;
        this.keys = keys;
        this.keyColumns = List.copyOf(keyColumns);
    }

    private void set(int index, Object value) throws SQLException {
        open();
        if (index < 1) {
            throw VShardSQLException.of(VShardState.INVALID_USE, null, "parameter index " + index + " is below 1");
        }
        while (parameters.size() < index) {
            parameters.add(null);
        }
        parameters.set(index - 1, value);
    }

    private boolean run() throws SQLException {
        return run(sql, parameters, options(true, keys, keyColumns));
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        run();
        return requireRows();
    }

    @Override
    public int executeUpdate() throws SQLException {
        run();
        return requireCount();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        run();
        return requireLargeCount();
    }

    @Override
    public boolean execute() throws SQLException {
        return run();
    }

    @Override
    public void addBatch() throws SQLException {
        open();
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(new ArrayList<>(parameters));
    }

    @Override
    public void clearBatch() throws SQLException {
        open();
        batch = null;
    }

    @Override
    public int[] executeBatch() throws SQLException {
        open();
        List<List<Object>> todo = batch == null ? List.of() : batch;
        batch = null;
        int[] counts = new int[todo.size()];
        for (int i = 0; i < todo.size(); i++) {
            try {
                run(sql, todo.get(i), options(true, keys, keyColumns));
                counts[i] = requireCount();
            } catch (SQLException e) {
                throw new java.sql.BatchUpdateException(
                        e.getMessage(), e.getSQLState(), e.getErrorCode(), Arrays.copyOf(counts, i), e);
            }
        }
        return counts;
    }

    @Override
    public void clearParameters() throws SQLException {
        open();
        parameters.clear();
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        open();
        // Unknown before execution: the statement's shard depends on its parameters (the spec allows null).
        return null;
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        open();
        // Counted here, not per statement: scanning the text is a cost every execution would pay for nothing.
        return new VShardParameterMetaData(Math.max(VShardParameterMetaData.countPlaceholders(sql), parameters.size()));
    }

    @Override
    public void setNull(int index, int sqlType) throws SQLException {
        set(index, null);
    }

    @Override
    public void setNull(int index, int sqlType, String typeName) throws SQLException {
        set(index, null);
    }

    @Override
    public void setBoolean(int index, boolean x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setByte(int index, byte x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setShort(int index, short x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setInt(int index, int x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setLong(int index, long x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setFloat(int index, float x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setDouble(int index, double x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setBigDecimal(int index, BigDecimal x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setString(int index, String x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setNString(int index, String x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setBytes(int index, byte[] x) throws SQLException {
        set(index, x == null ? null : x.clone());
    }

    @Override
    public void setDate(int index, Date x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setDate(int index, Date x, Calendar cal) throws SQLException {
        set(index, x);
    }

    @Override
    public void setTime(int index, Time x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setTime(int index, Time x, Calendar cal) throws SQLException {
        set(index, x);
    }

    @Override
    public void setTimestamp(int index, Timestamp x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setTimestamp(int index, Timestamp x, Calendar cal) throws SQLException {
        set(index, x);
    }

    @Override
    public void setObject(int index, Object x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setObject(int index, Object x, int targetSqlType) throws SQLException {
        set(
                index,
                targetSqlType == java.sql.Types.OTHER && x instanceof String s
                        ? new io.vshard.engine.UntypedText(s)
                        : x);
    }

    @Override
    public void setObject(int index, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        set(index, x);
    }

    @Override
    public void setObject(int index, Object x, SQLType targetSqlType) throws SQLException {
        set(index, x);
    }

    @Override
    public void setObject(int index, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        set(index, x);
    }

    @Override
    public void setCharacterStream(int index, Reader reader) throws SQLException {
        set(index, read(reader));
    }

    @Override
    public void setCharacterStream(int index, Reader reader, int length) throws SQLException {
        set(index, read(reader));
    }

    @Override
    public void setCharacterStream(int index, Reader reader, long length) throws SQLException {
        set(index, read(reader));
    }

    @Override
    public void setBinaryStream(int index, InputStream in) throws SQLException {
        set(index, read(in));
    }

    @Override
    public void setBinaryStream(int index, InputStream in, int length) throws SQLException {
        set(index, read(in));
    }

    @Override
    public void setBinaryStream(int index, InputStream in, long length) throws SQLException {
        set(index, read(in));
    }

    private static String read(Reader reader) throws SQLException {
        if (reader == null) {
            return null;
        }
        try {
            StringBuilder b = new StringBuilder();
            char[] buf = new char[8192];
            for (int n = reader.read(buf); n >= 0; n = reader.read(buf)) {
                b.append(buf, 0, n);
            }
            return b.toString();
        } catch (IOException e) {
            throw new SQLException("cannot read the parameter stream: " + e.getMessage(), "22000", e);
        }
    }

    private static byte[] read(InputStream in) throws SQLException {
        if (in == null) {
            return null;
        }
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SQLException("cannot read the parameter stream: " + e.getMessage(), "22000", e);
        }
    }

    private static SQLException notOnPrepared() {
        return VShardSQLException.of(
                VShardState.INVALID_USE, null, "a PreparedStatement runs its own SQL; use execute() without text");
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        throw notOnPrepared();
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        throw notOnPrepared();
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        throw notOnPrepared();
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        throw notOnPrepared();
    }

    @Override
    public void setAsciiStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setAsciiStream");
    }

    @Override
    public void setUnicodeStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setUnicodeStream");
    }

    @Override
    public void setRef(int a0, Ref a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setRef");
    }

    @Override
    public void setBlob(int a0, Blob a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setBlob");
    }

    @Override
    public void setClob(int a0, Clob a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setClob");
    }

    @Override
    public void setArray(int index, Array value) throws SQLException {
        set(index, value);
    }

    @Override
    public void setURL(int a0, java.net.URL a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setURL");
    }

    @Override
    public void setRowId(int a0, RowId a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setRowId");
    }

    @Override
    public void setNCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setNCharacterStream");
    }

    @Override
    public void setNClob(int a0, NClob a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setNClob");
    }

    @Override
    public void setClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setClob");
    }

    @Override
    public void setBlob(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setBlob");
    }

    @Override
    public void setNClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setNClob");
    }

    @Override
    public void setSQLXML(int a0, SQLXML a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setSQLXML");
    }

    @Override
    public void setAsciiStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setAsciiStream");
    }

    @Override
    public void setAsciiStream(int a0, java.io.InputStream a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setAsciiStream");
    }

    @Override
    public void setNCharacterStream(int a0, java.io.Reader a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setNCharacterStream");
    }

    @Override
    public void setClob(int a0, java.io.Reader a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setClob");
    }

    @Override
    public void setBlob(int a0, java.io.InputStream a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setBlob");
    }

    @Override
    public void setNClob(int a0, java.io.Reader a1) throws SQLException {
        throw VShardSQLException.unsupported("PreparedStatement.setNClob");
    }
}
