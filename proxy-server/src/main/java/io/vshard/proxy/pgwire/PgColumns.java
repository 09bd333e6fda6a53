package io.vshard.proxy.pgwire;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Maps JDBC result metadata onto RowDescription fields and encodes DataRows. Stateless. */
final class PgColumns {

    /** One result column: its label, wire type and type modifier. */
    record Column(String name, PgType type, int typeModifier) {}

    private PgColumns() {}

    static List<Column> of(ResultSetMetaData metaData) throws SQLException {
        int count = metaData.getColumnCount();
        List<Column> columns = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            PgType type = PgType.fromJdbc(metaData.getColumnTypeName(i), metaData.getColumnType(i));
            columns.add(new Column(metaData.getColumnLabel(i), type, typeModifier(metaData, i, type)));
        }
        return columns;
    }

    private static int typeModifier(ResultSetMetaData metaData, int i, PgType type) throws SQLException {
        int precision = metaData.getPrecision(i);
        if (type == PgType.NUMERIC && precision > 0 && precision <= 1000) {
            return ((precision << 16) | Math.max(0, metaData.getScale(i))) + 4;
        }
        if ((type == PgType.VARCHAR || type == PgType.BPCHAR) && precision > 0 && precision < 10_485_760) {
            return precision + 4;
        }
        return -1;
    }

    /** The format of column {@code i} from a Bind message's result-format codes. */
    static boolean binary(short[] formats, int i) {
        if (formats.length == 0) {
            return false;
        }
        return (formats.length == 1 ? formats[0] : formats[i]) == 1;
    }

    static BackendMessage.RowDescription describe(List<Column> columns, short[] formats) throws SQLException {
        if (formats.length > 1 && formats.length != columns.size()) {
            throw new SQLException(
                    "bind message has " + formats.length + " result formats but query has " + columns.size()
                            + " columns",
                    PgProtocolException.PROTOCOL_VIOLATION);
        }
        List<BackendMessage.Field> fields = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            boolean binary = binary(formats, i);
            if (binary && !PgValueEncoder.supportsBinary(column.type())) {
                throw new SQLException(
                        "binary output of type " + column.type().typeName + " is not supported", "0A000");
            }
            fields.add(new BackendMessage.Field(
                    column.name(), column.type().oid, column.type().length, column.typeModifier(), (short)
                            (binary ? 1 : 0)));
        }
        return new BackendMessage.RowDescription(fields);
    }

    static BackendMessage.DataRow row(ResultSet rs, List<Column> columns, short[] formats) throws SQLException {
        List<byte[]> values = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            values.add(PgValueEncoder.encode(rs, i + 1, columns.get(i).type(), binary(formats, i)));
        }
        return new BackendMessage.DataRow(values);
    }
}
