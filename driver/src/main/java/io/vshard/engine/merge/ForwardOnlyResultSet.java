package io.vshard.engine.merge;

import io.vshard.jdbc.VShardSQLException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;

/**
 * What every {@code jdbc:vshard:} result set shares: they are forward-only and read-only (the driver accepts no
 * other cursor), so every update method throws {@code SQLFeatureNotSupportedException} naming itself, and a
 * getter by column label is the getter by the index {@link #findColumn} finds.
 */
public abstract class ForwardOnlyResultSet implements ResultSet {
    @Override
    public final String getString(String label) throws SQLException {
        return getString(findColumn(label));
    }

    @Override
    public final boolean getBoolean(String label) throws SQLException {
        return getBoolean(findColumn(label));
    }

    @Override
    public final byte getByte(String label) throws SQLException {
        return getByte(findColumn(label));
    }

    @Override
    public final short getShort(String label) throws SQLException {
        return getShort(findColumn(label));
    }

    @Override
    public final int getInt(String label) throws SQLException {
        return getInt(findColumn(label));
    }

    @Override
    public final long getLong(String label) throws SQLException {
        return getLong(findColumn(label));
    }

    @Override
    public final float getFloat(String label) throws SQLException {
        return getFloat(findColumn(label));
    }

    @Override
    public final double getDouble(String label) throws SQLException {
        return getDouble(findColumn(label));
    }

    @Deprecated
    @Override
    public final BigDecimal getBigDecimal(String label, int scale) throws SQLException {
        return getBigDecimal(findColumn(label), scale);
    }

    @Override
    public final byte[] getBytes(String label) throws SQLException {
        return getBytes(findColumn(label));
    }

    @Override
    public final Date getDate(String label) throws SQLException {
        return getDate(findColumn(label));
    }

    @Override
    public final Time getTime(String label) throws SQLException {
        return getTime(findColumn(label));
    }

    @Override
    public final Timestamp getTimestamp(String label) throws SQLException {
        return getTimestamp(findColumn(label));
    }

    @Override
    public final InputStream getAsciiStream(String label) throws SQLException {
        return getAsciiStream(findColumn(label));
    }

    @Deprecated
    @Override
    public final InputStream getUnicodeStream(String label) throws SQLException {
        return getUnicodeStream(findColumn(label));
    }

    @Override
    public final InputStream getBinaryStream(String label) throws SQLException {
        return getBinaryStream(findColumn(label));
    }

    @Override
    public final Object getObject(String label) throws SQLException {
        return getObject(findColumn(label));
    }

    @Override
    public final Reader getCharacterStream(String label) throws SQLException {
        return getCharacterStream(findColumn(label));
    }

    @Override
    public final BigDecimal getBigDecimal(String label) throws SQLException {
        return getBigDecimal(findColumn(label));
    }

    @Override
    public final boolean rowUpdated() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.rowUpdated");
    }

    @Override
    public final boolean rowInserted() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.rowInserted");
    }

    @Override
    public final boolean rowDeleted() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.rowDeleted");
    }

    @Override
    public final void updateNull(int column) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNull");
    }

    @Override
    public final void updateBoolean(int column, boolean x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBoolean");
    }

    @Override
    public final void updateByte(int column, byte x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateByte");
    }

    @Override
    public final void updateShort(int column, short x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateShort");
    }

    @Override
    public final void updateInt(int column, int x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateInt");
    }

    @Override
    public final void updateLong(int column, long x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateLong");
    }

    @Override
    public final void updateFloat(int column, float x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateFloat");
    }

    @Override
    public final void updateDouble(int column, double x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateDouble");
    }

    @Override
    public final void updateBigDecimal(int column, BigDecimal x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBigDecimal");
    }

    @Override
    public final void updateString(int column, String x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateString");
    }

    @Override
    public final void updateBytes(int column, byte[] x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBytes");
    }

    @Override
    public final void updateDate(int column, Date x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateDate");
    }

    @Override
    public final void updateTime(int column, Time x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateTime");
    }

    @Override
    public final void updateTimestamp(int column, Timestamp x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateTimestamp");
    }

    @Override
    public final void updateAsciiStream(int column, InputStream x, int length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public final void updateBinaryStream(int column, InputStream x, int length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public final void updateCharacterStream(int column, Reader x, int length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public final void updateObject(int column, Object x, int scaleOrLength) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateObject");
    }

    @Override
    public final void updateObject(int column, Object x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateObject");
    }

    @Override
    public final void updateNull(String label) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNull");
    }

    @Override
    public final void updateBoolean(String label, boolean x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBoolean");
    }

    @Override
    public final void updateByte(String label, byte x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateByte");
    }

    @Override
    public final void updateShort(String label, short x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateShort");
    }

    @Override
    public final void updateInt(String label, int x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateInt");
    }

    @Override
    public final void updateLong(String label, long x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateLong");
    }

    @Override
    public final void updateFloat(String label, float x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateFloat");
    }

    @Override
    public final void updateDouble(String label, double x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateDouble");
    }

    @Override
    public final void updateBigDecimal(String label, BigDecimal x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBigDecimal");
    }

    @Override
    public final void updateString(String label, String x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateString");
    }

    @Override
    public final void updateBytes(String label, byte[] x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBytes");
    }

    @Override
    public final void updateDate(String label, Date x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateDate");
    }

    @Override
    public final void updateTime(String label, Time x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateTime");
    }

    @Override
    public final void updateTimestamp(String label, Timestamp x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateTimestamp");
    }

    @Override
    public final void updateAsciiStream(String label, InputStream x, int length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public final void updateBinaryStream(String label, InputStream x, int length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public final void updateCharacterStream(String label, Reader x, int length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public final void updateObject(String label, Object x, int scaleOrLength) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateObject");
    }

    @Override
    public final void updateObject(String label, Object x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateObject");
    }

    @Override
    public final void insertRow() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.insertRow");
    }

    @Override
    public final void updateRow() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateRow");
    }

    @Override
    public final void deleteRow() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.deleteRow");
    }

    @Override
    public final void refreshRow() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.refreshRow");
    }

    @Override
    public final void cancelRowUpdates() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.cancelRowUpdates");
    }

    @Override
    public final void moveToInsertRow() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.moveToInsertRow");
    }

    @Override
    public final void moveToCurrentRow() throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.moveToCurrentRow");
    }

    @Override
    public final Object getObject(String label, Map<String, Class<?>> map) throws SQLException {
        return getObject(findColumn(label), map);
    }

    @Override
    public final Ref getRef(String label) throws SQLException {
        return getRef(findColumn(label));
    }

    @Override
    public final Blob getBlob(String label) throws SQLException {
        return getBlob(findColumn(label));
    }

    @Override
    public final Clob getClob(String label) throws SQLException {
        return getClob(findColumn(label));
    }

    @Override
    public final Array getArray(String label) throws SQLException {
        return getArray(findColumn(label));
    }

    @Override
    public final Date getDate(String label, Calendar cal) throws SQLException {
        return getDate(findColumn(label), cal);
    }

    @Override
    public final Time getTime(String label, Calendar cal) throws SQLException {
        return getTime(findColumn(label), cal);
    }

    @Override
    public final Timestamp getTimestamp(String label, Calendar cal) throws SQLException {
        return getTimestamp(findColumn(label), cal);
    }

    @Override
    public final URL getURL(String label) throws SQLException {
        return getURL(findColumn(label));
    }

    @Override
    public final void updateRef(int column, Ref x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateRef");
    }

    @Override
    public final void updateRef(String label, Ref x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateRef");
    }

    @Override
    public final void updateBlob(int column, Blob x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBlob");
    }

    @Override
    public final void updateBlob(String label, Blob x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBlob");
    }

    @Override
    public final void updateClob(int column, Clob x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateClob");
    }

    @Override
    public final void updateClob(String label, Clob x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateClob");
    }

    @Override
    public final void updateArray(int column, Array x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateArray");
    }

    @Override
    public final void updateArray(String label, Array x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateArray");
    }

    @Override
    public final RowId getRowId(String label) throws SQLException {
        return getRowId(findColumn(label));
    }

    @Override
    public final void updateRowId(int column, RowId x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateRowId");
    }

    @Override
    public final void updateRowId(String label, RowId x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateRowId");
    }

    @Override
    public final void updateNString(int column, String x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNString");
    }

    @Override
    public final void updateNString(String label, String x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNString");
    }

    @Override
    public final void updateNClob(int column, NClob x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNClob");
    }

    @Override
    public final void updateNClob(String label, NClob x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNClob");
    }

    @Override
    public final NClob getNClob(String label) throws SQLException {
        return getNClob(findColumn(label));
    }

    @Override
    public final SQLXML getSQLXML(String label) throws SQLException {
        return getSQLXML(findColumn(label));
    }

    @Override
    public final void updateSQLXML(int column, SQLXML x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateSQLXML");
    }

    @Override
    public final void updateSQLXML(String label, SQLXML x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateSQLXML");
    }

    @Override
    public final String getNString(String label) throws SQLException {
        return getNString(findColumn(label));
    }

    @Override
    public final Reader getNCharacterStream(String label) throws SQLException {
        return getNCharacterStream(findColumn(label));
    }

    @Override
    public final void updateNCharacterStream(int column, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public final void updateNCharacterStream(String label, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public final void updateAsciiStream(int column, InputStream x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public final void updateBinaryStream(int column, InputStream x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public final void updateCharacterStream(int column, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public final void updateAsciiStream(String label, InputStream x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public final void updateBinaryStream(String label, InputStream x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public final void updateCharacterStream(String label, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public final void updateBlob(int column, InputStream x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBlob");
    }

    @Override
    public final void updateBlob(String label, InputStream x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBlob");
    }

    @Override
    public final void updateClob(int column, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateClob");
    }

    @Override
    public final void updateClob(String label, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateClob");
    }

    @Override
    public final void updateNClob(int column, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNClob");
    }

    @Override
    public final void updateNClob(String label, Reader x, long length) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNClob");
    }

    @Override
    public final void updateNCharacterStream(int column, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public final void updateNCharacterStream(String label, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public final void updateAsciiStream(int column, InputStream x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public final void updateBinaryStream(int column, InputStream x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public final void updateCharacterStream(int column, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public final void updateAsciiStream(String label, InputStream x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public final void updateBinaryStream(String label, InputStream x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public final void updateCharacterStream(String label, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public final void updateBlob(int column, InputStream x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBlob");
    }

    @Override
    public final void updateBlob(String label, InputStream x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateBlob");
    }

    @Override
    public final void updateClob(int column, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateClob");
    }

    @Override
    public final void updateClob(String label, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateClob");
    }

    @Override
    public final void updateNClob(int column, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNClob");
    }

    @Override
    public final void updateNClob(String label, Reader x) throws SQLException {
        throw VShardSQLException.unsupported("ResultSet.updateNClob");
    }

    @Override
    public final <T> T getObject(String label, Class<T> type) throws SQLException {
        return getObject(findColumn(label), type);
    }
}
