package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * One column of a result set as the protocol describes it (ColumnDefinition41), built from standard
 * {@link ResultSetMetaData} so any JDBC backend can feed it.
 *
 * @param binary whether values travel as raw bytes ({@code getBytes}) rather than UTF-8 text
 */
record ColumnDefinition(
        String schema,
        String table,
        String name,
        String label,
        int charset,
        long length,
        int type,
        int flags,
        int decimals,
        boolean binary) {

    /** Decimals value meaning "not fixed", used for floating point and text. */
    private static final int NOT_FIXED = 0x1f;

    static ColumnDefinition of(ResultSetMetaData md, int column) throws SQLException {
        int jdbcType = md.getColumnType(column);
        int precision = md.getPrecision(column);
        int type = FieldType.of(jdbcType, md.getColumnTypeName(column), precision);
        boolean binary = FieldType.isBinary(jdbcType) || type == FieldType.BIT;
        int flags = 0;
        if (md.isNullable(column) == ResultSetMetaData.columnNoNulls) {
            flags |= FieldType.FLAG_NOT_NULL;
        }
        if (md.isAutoIncrement(column)) {
            flags |= FieldType.FLAG_AUTO_INCREMENT;
        }
        boolean numeric = FieldType.isNumeric(type);
        if (numeric) {
            flags |= FieldType.FLAG_NUM;
            if (!md.isSigned(column)) {
                flags |= FieldType.FLAG_UNSIGNED;
            }
        }
        if (binary) {
            flags |= FieldType.FLAG_BINARY;
        }
        if (type == FieldType.BLOB) {
            flags |= FieldType.FLAG_BLOB;
        }
        int charset = FieldType.isText(type) && !binary ? FieldType.CHARSET_UTF8MB4 : FieldType.CHARSET_BINARY;
        long length = FieldType.isText(type) && !binary
                ? Math.min(4L * Math.max(precision, 0), 0xFFFFFFFFL)
                : Math.max(numeric || binary ? precision : md.getColumnDisplaySize(column), 0);
        if (type == FieldType.TINY && precision <= 1 && jdbcType != java.sql.Types.TINYINT) {
            length = 1;
        }
        int decimals = decimals(type, md.getScale(column));
        return new ColumnDefinition(
                nullToEmpty(md.getSchemaName(column)),
                nullToEmpty(md.getTableName(column)),
                nullToEmpty(md.getColumnName(column)),
                nullToEmpty(md.getColumnLabel(column)),
                charset,
                length,
                type,
                flags,
                decimals,
                binary);
    }

    /** A parameter placeholder in a prepare response; clients only count these. */
    static ColumnDefinition parameter() {
        return new ColumnDefinition("", "", "?", "?", FieldType.CHARSET_BINARY, 0, FieldType.VAR_STRING, 0, 0, true);
    }

    private static int decimals(int type, int scale) {
        switch (type) {
            case FieldType.NEWDECIMAL:
            case FieldType.DATETIME:
            case FieldType.TIMESTAMP:
            case FieldType.TIME:
                return Math.max(0, Math.min(scale, 30));
            case FieldType.FLOAT:
            case FieldType.DOUBLE:
                return NOT_FIXED;
            default:
                return 0;
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    void encode(ByteBuf out) {
        WireFormat.writeLengthEncodedString(out, "def");
        WireFormat.writeLengthEncodedString(out, schema);
        WireFormat.writeLengthEncodedString(out, table);
        WireFormat.writeLengthEncodedString(out, table);
        WireFormat.writeLengthEncodedString(out, label);
        WireFormat.writeLengthEncodedString(out, name);
        out.writeByte(0x0c);
        out.writeShortLE(charset);
        out.writeIntLE((int) length);
        out.writeByte(type);
        out.writeShortLE(flags);
        out.writeByte(decimals);
        out.writeShortLE(0);
    }
}
