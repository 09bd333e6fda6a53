package io.vshard.engine.merge;

import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Locale;
import java.util.Map;

/**
 * A forward-only, read-only result set over a {@link RowSource}: what a fan-out read (or an admin command)
 * returns. Rows are pulled one at a time, so a streaming merge stays streaming. Columns beyond the
 * metadata's column count (hidden merge columns) are never visible. Not thread safe, like any result set.
 */
public final class RowResultSet extends ForwardOnlyResultSet {
    private final RowSource source;
    private final RowMetaData meta;
    private Object[] row;
    private int rowNumber;
    private boolean closed;
    private boolean lastNull;
    private boolean done;
    private int fetchSize;

    /** A result set over {@code source} described by {@code meta}. */
    public RowResultSet(RowSource source, RowMetaData meta) {
        this.source = source;
        this.meta = meta;
    }

    private void open() throws SQLException {
        if (closed) {
            throw VShardSQLException.of(VShardState.CLOSED, null, "result set");
        }
    }

    private Object value(int column) throws SQLException {
        open();
        if (row == null) {
            throw VShardSQLException.of(VShardState.INVALID_USE, null, "the result set is not on a row; call next()");
        }
        if (column < 1 || column > meta.getColumnCount()) {
            throw VShardSQLException.of(
                    VShardState.INVALID_COLUMN,
                    null,
                    "column index " + column + " is out of range 1.." + meta.getColumnCount());
        }
        Object v = row[column - 1];
        lastNull = v == null;
        return v;
    }

    @Override
    public boolean next() throws SQLException {
        open();
        if (done) {
            row = null;
            return false;
        }
        row = source.next();
        if (row == null) {
            done = true;
            source.close();
            return false;
        }
        rowNumber++;
        return true;
    }

    @Override
    public void close() throws SQLException {
        if (!closed) {
            closed = true;
            row = null;
            source.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean wasNull() {
        return lastNull;
    }

    @Override
    public int findColumn(String label) throws SQLException {
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (meta.getColumnLabel(i).equalsIgnoreCase(label)) {
                return i;
            }
        }
        throw VShardSQLException.of(VShardState.INVALID_COLUMN, null, "no column labelled '" + label + "'");
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        open();
        return meta;
    }

    @Override
    public Object getObject(int column) throws SQLException {
        return value(column);
    }

    @Override
    public <T> T getObject(int column, Class<T> type) throws SQLException {
        return Conversions.as(value(column), type);
    }

    @Override
    public String getString(int column) throws SQLException {
        return Conversions.string(value(column));
    }

    @Override
    public String getNString(int column) throws SQLException {
        return getString(column);
    }

    @Override
    public boolean getBoolean(int column) throws SQLException {
        return Conversions.bool(value(column));
    }

    @Override
    public byte getByte(int column) throws SQLException {
        return (byte) Conversions.integer(value(column));
    }

    @Override
    public short getShort(int column) throws SQLException {
        return (short) Conversions.integer(value(column));
    }

    @Override
    public int getInt(int column) throws SQLException {
        long v = Conversions.integer(value(column));
        if (v != (int) v) {
            throw VShardSQLException.of(VShardState.CONVERSION, null, "value " + v, "int");
        }
        return (int) v;
    }

    @Override
    public long getLong(int column) throws SQLException {
        return Conversions.integer(value(column));
    }

    @Override
    public float getFloat(int column) throws SQLException {
        return (float) Conversions.real(value(column));
    }

    @Override
    public double getDouble(int column) throws SQLException {
        return Conversions.real(value(column));
    }

    @Override
    public BigDecimal getBigDecimal(int column) throws SQLException {
        return Conversions.decimal(value(column));
    }

    @Override
    @Deprecated
    public BigDecimal getBigDecimal(int column, int scale) throws SQLException {
        BigDecimal d = getBigDecimal(column);
        return d == null ? null : d.setScale(scale, RoundingMode.HALF_UP);
    }

    @Override
    public byte[] getBytes(int column) throws SQLException {
        return Conversions.bytes(value(column));
    }

    @Override
    public Date getDate(int column) throws SQLException {
        return Conversions.date(value(column));
    }

    @Override
    public Date getDate(int column, Calendar cal) throws SQLException {
        return getDate(column);
    }

    @Override
    public Time getTime(int column) throws SQLException {
        return Conversions.time(value(column));
    }

    @Override
    public Time getTime(int column, Calendar cal) throws SQLException {
        return getTime(column);
    }

    @Override
    public Timestamp getTimestamp(int column) throws SQLException {
        return Conversions.timestamp(value(column));
    }

    @Override
    public Timestamp getTimestamp(int column, Calendar cal) throws SQLException {
        return getTimestamp(column);
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        open();
        return null;
    }

    @Override
    public void clearWarnings() {}

    @Override
    public Statement getStatement() {
        return null;
    }

    @Override
    public int getRow() {
        return row == null ? 0 : rowNumber;
    }

    @Override
    public boolean isBeforeFirst() {
        return rowNumber == 0 && !done;
    }

    @Override
    public boolean isAfterLast() {
        return done && rowNumber > 0;
    }

    @Override
    public boolean isFirst() {
        return row != null && rowNumber == 1;
    }

    @Override
    public int getType() {
        return TYPE_FORWARD_ONLY;
    }

    @Override
    public int getConcurrency() {
        return CONCUR_READ_ONLY;
    }

    @Override
    public int getHoldability() {
        return CLOSE_CURSORS_AT_COMMIT;
    }

    @Override
    public int getFetchDirection() {
        return FETCH_FORWARD;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        if (direction != FETCH_FORWARD) {
            throw VShardSQLException.unsupported("ResultSet.setFetchDirection(" + direction + ")");
        }
    }

    @Override
    public int getFetchSize() {
        return fetchSize;
    }

    @Override
    public void setFetchSize(int rows) {
        this.fetchSize = rows;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw VShardSQLException.of(VShardState.INVALID_USE, null, "not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RowResultSet[columns=%d, row=%d]", meta.getColumnCount(), rowNumber);
    }

    @Override
    public java.io.InputStream getAsciiStream(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getAsciiStream");
    }

    @Override
    public java.io.InputStream getUnicodeStream(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getUnicodeStream");
    }

    @Override
    public java.io.InputStream getBinaryStream(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getBinaryStream");
    }

    @Override
    public String getCursorName() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getCursorName");
    }

    @Override
    public java.io.Reader getCharacterStream(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getCharacterStream");
    }

    @Override
    public boolean isLast() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.isLast");
    }

    @Override
    public void beforeFirst() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.beforeFirst");
    }

    @Override
    public void afterLast() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.afterLast");
    }

    @Override
    public boolean first() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.first");
    }

    @Override
    public boolean last() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.last");
    }

    @Override
    public boolean absolute(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.absolute");
    }

    @Override
    public boolean relative(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.relative");
    }

    @Override
    public boolean previous() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.previous");
    }

    @Override
    public Ref getRef(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getRef");
    }

    @Override
    public Blob getBlob(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getBlob");
    }

    @Override
    public Clob getClob(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getClob");
    }

    @Override
    public Array getArray(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getArray");
    }

    @Override
    public java.net.URL getURL(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getURL");
    }

    @Override
    public RowId getRowId(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getRowId");
    }

    @Override
    public NClob getNClob(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getNClob");
    }

    @Override
    public SQLXML getSQLXML(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getSQLXML");
    }

    @Override
    public java.io.Reader getNCharacterStream(int a0) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.getNCharacterStream");
    }

    @Override
    public Object getObject(int column, Map<String, Class<?>> map) throws SQLException {
        return getObject(column);
    }
}
