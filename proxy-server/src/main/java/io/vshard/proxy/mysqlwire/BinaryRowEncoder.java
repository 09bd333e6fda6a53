package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/**
 * Encodes the current row of a JDBC result set as a binary-protocol row: a 0x00 header, a NULL bitmap
 * offset by two bits, then each non-NULL value in the fixed or length-encoded form its column type asks.
 */
final class BinaryRowEncoder {
    private BinaryRowEncoder() {}

    static void encode(ResultSet rs, List<ColumnDefinition> columns, ByteBuf out) throws SQLException {
        out.writeByte(0x00);
        int bitmapAt = out.writerIndex();
        int bitmapLength = (columns.size() + 7 + 2) / 8;
        out.writeZero(bitmapLength);
        for (int i = 0; i < columns.size(); i++) {
            if (!value(rs, i + 1, columns.get(i), out)) {
                int bit = i + 2;
                int at = bitmapAt + bit / 8;
                out.setByte(at, out.getByte(at) | (1 << (bit % 8)));
            }
        }
    }

    /** Writes the value and returns true, or writes nothing and returns false for NULL. */
    private static boolean value(ResultSet rs, int index, ColumnDefinition column, ByteBuf out) throws SQLException {
        switch (column.type()) {
            case FieldType.TINY: {
                int v = rs.getInt(index);
                return !rs.wasNull() && write(() -> out.writeByte(v));
            }
            case FieldType.SHORT:
            case FieldType.YEAR: {
                int v = rs.getInt(index);
                return !rs.wasNull() && write(() -> out.writeShortLE(v));
            }
            case FieldType.LONG:
            case FieldType.INT24: {
                long v = rs.getLong(index);
                return !rs.wasNull() && write(() -> out.writeIntLE((int) v));
            }
            case FieldType.LONGLONG:
                return longlong(rs, index, column, out);
            case FieldType.FLOAT: {
                float v = rs.getFloat(index);
                return !rs.wasNull() && write(() -> out.writeFloatLE(v));
            }
            case FieldType.DOUBLE: {
                double v = rs.getDouble(index);
                return !rs.wasNull() && write(() -> out.writeDoubleLE(v));
            }
            case FieldType.NEWDECIMAL:
            case FieldType.DECIMAL: {
                BigDecimal v = rs.getBigDecimal(index);
                return v != null && write(() -> WireFormat.writeLengthEncodedString(out, v.toPlainString()));
            }
            case FieldType.DATE: {
                LocalDate v = rs.getObject(index, LocalDate.class);
                return v != null && write(() -> TemporalCodec.writeDate(out, v));
            }
            case FieldType.DATETIME:
            case FieldType.TIMESTAMP: {
                LocalDateTime v = rs.getObject(index, LocalDateTime.class);
                return v != null && write(() -> TemporalCodec.writeDateTime(out, v));
            }
            case FieldType.TIME: {
                String v = rs.getString(index);
                return v != null && write(() -> TemporalCodec.writeTime(out, v));
            }
            default:
                return bytes(rs, index, column, out);
        }
    }

    private static boolean longlong(ResultSet rs, int index, ColumnDefinition column, ByteBuf out) throws SQLException {
        if ((column.flags() & FieldType.FLAG_UNSIGNED) != 0) {
            Object v = rs.getObject(index);
            if (v == null) {
                return false;
            }
            long bits = v instanceof BigInteger big ? big.longValue() : new BigInteger(v.toString()).longValue();
            out.writeLongLE(bits);
            return true;
        }
        long v = rs.getLong(index);
        return !rs.wasNull() && write(() -> out.writeLongLE(v));
    }

    private static boolean bytes(ResultSet rs, int index, ColumnDefinition column, ByteBuf out) throws SQLException {
        byte[] value;
        if (column.binary()) {
            value = rs.getBytes(index);
        } else {
            String text = rs.getString(index);
            value = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        }
        if (value == null) {
            return false;
        }
        WireFormat.writeLengthEncodedBytes(out, value);
        return true;
    }

    private static boolean write(Runnable writer) {
        writer.run();
        return true;
    }
}
