package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Encodes the current row of a JDBC result set as a text-protocol row: each value a string, NULL as 0xFB. */
final class TextRowEncoder {
    private static final int NULL_VALUE = 0xFB;

    private TextRowEncoder() {}

    static void encode(ResultSet rs, List<ColumnDefinition> columns, ByteBuf out) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            byte[] value = value(rs, i + 1, columns.get(i));
            if (value == null) {
                out.writeByte(NULL_VALUE);
            } else {
                WireFormat.writeLengthEncodedBytes(out, value);
            }
        }
    }

    private static byte[] value(ResultSet rs, int index, ColumnDefinition column) throws SQLException {
        if (column.binary()) {
            return rs.getBytes(index);
        }
        if (column.type() == FieldType.TINY && column.length() == 1) {
            Object value = rs.getObject(index);
            if (value instanceof Boolean b) {
                return ascii(b ? "1" : "0");
            }
            return value == null ? null : ascii(value.toString());
        }
        String text = rs.getString(index);
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
