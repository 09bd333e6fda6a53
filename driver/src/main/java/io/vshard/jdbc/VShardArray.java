package io.vshard.jdbc;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;

/**
 * An array value made by {@code Connection.createArrayOf}, to bind as a parameter. Its {@link #toString()} is
 * the PostgreSQL array literal, which is how pgjdbc binds an array it did not create; other backends read
 * {@link #getArray()}. Immutable.
 */
final class VShardArray implements Array {
    private final String baseTypeName;
    private final Object[] elements;

    VShardArray(String baseTypeName, Object[] elements) {
        this.baseTypeName = baseTypeName;
        this.elements = elements.clone();
    }

    @Override
    public String getBaseTypeName() {
        return baseTypeName;
    }

    @Override
    public int getBaseType() {
        return Types.OTHER;
    }

    @Override
    public Object getArray() {
        return elements.clone();
    }

    @Override
    public Object getArray(Map<String, Class<?>> map) {
        return getArray();
    }

    @Override
    public Object getArray(long index, int count) {
        return java.util.Arrays.copyOfRange(elements, (int) index - 1, (int) index - 1 + count);
    }

    @Override
    public Object getArray(long index, int count, Map<String, Class<?>> map) {
        return getArray(index, count);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        throw VShardSQLException.unsupported("Array.getResultSet");
    }

    @Override
    public ResultSet getResultSet(Map<String, Class<?>> map) throws SQLException {
        throw VShardSQLException.unsupported("Array.getResultSet");
    }

    @Override
    public ResultSet getResultSet(long index, int count) throws SQLException {
        throw VShardSQLException.unsupported("Array.getResultSet");
    }

    @Override
    public ResultSet getResultSet(long index, int count, Map<String, Class<?>> map) throws SQLException {
        throw VShardSQLException.unsupported("Array.getResultSet");
    }

    @Override
    public void free() {}

    /** The PostgreSQL array literal: {@code {"a","b c",NULL}}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            Object e = elements[i];
            if (e == null) {
                out.append("NULL");
            } else {
                out.append('"');
                String s =
                        e instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : e.toString();
                for (int k = 0; k < s.length(); k++) {
                    char c = s.charAt(k);
                    if (c == '"' || c == '\\') {
                        out.append('\\');
                    }
                    out.append(c);
                }
                out.append('"');
            }
        }
        return out.append('}').toString();
    }
}
