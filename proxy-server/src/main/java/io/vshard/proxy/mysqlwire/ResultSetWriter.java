package io.vshard.proxy.mysqlwire;

import io.netty.buffer.ByteBuf;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a JDBC result set to the client: column count, column definitions, the optional EOF, then the
 * rows in text or binary form. The closing EOF/OK is left to the caller, who knows whether more results
 * follow.
 */
final class ResultSetWriter {
    private ResultSetWriter() {}

    static List<ColumnDefinition> columns(ResultSetMetaData md) throws SQLException {
        int count = md.getColumnCount();
        List<ColumnDefinition> columns = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            columns.add(ColumnDefinition.of(md, i));
        }
        return columns;
    }

    static void writeColumns(ResponseWriter out, List<ColumnDefinition> columns, int status) {
        for (ColumnDefinition column : columns) {
            ByteBuf buf = out.buffer();
            column.encode(buf);
            out.write(buf);
        }
        out.endOfColumns(status);
    }

    /** Writes everything but the closing packet. */
    static void writeBody(ResponseWriter out, ResultSet rs, boolean binary, int status) throws SQLException {
        List<ColumnDefinition> columns = columns(rs.getMetaData());
        ByteBuf count = out.buffer();
        WireFormat.writeLengthEncodedInt(count, columns.size());
        out.write(count);
        writeColumns(out, columns, status);
        while (rs.next()) {
            ByteBuf row = out.buffer();
            try {
                if (binary) {
                    BinaryRowEncoder.encode(rs, columns, row);
                } else {
                    TextRowEncoder.encode(rs, columns, row);
                }
            } catch (SQLException | RuntimeException e) {
                row.release();
                throw e;
            }
            out.write(row);
        }
    }
}
