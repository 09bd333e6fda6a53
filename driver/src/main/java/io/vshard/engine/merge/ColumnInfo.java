package io.vshard.engine.merge;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a merged result says about one column, copied from the first shard's metadata (every shard runs the
 * same statement, so they agree).
 *
 * @param label the column label
 * @param name the column name
 * @param type the {@link java.sql.Types} code
 * @param typeName the backend type name
 * @param className the Java class of its values
 * @param precision the precision
 * @param scale the scale
 * @param nullable a {@link ResultSetMetaData} nullability code
 * @param table the table name, or empty
 * @param displaySize the display size
 * @param signed whether numbers are signed
 */
public record ColumnInfo(
        String label,
        String name,
        int type,
        String typeName,
        String className,
        int precision,
        int scale,
        int nullable,
        String table,
        int displaySize,
        boolean signed) {

    /** The first {@code count} columns of {@code md} (all when negative). */
    public static List<ColumnInfo> of(ResultSetMetaData md, int count) throws SQLException {
        int n = count < 0 ? md.getColumnCount() : Math.min(count, md.getColumnCount());
        List<ColumnInfo> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(new ColumnInfo(
                    md.getColumnLabel(i),
                    md.getColumnName(i),
                    md.getColumnType(i),
                    md.getColumnTypeName(i),
                    md.getColumnClassName(i),
                    md.getPrecision(i),
                    md.getScale(i),
                    md.isNullable(i),
                    md.getTableName(i),
                    md.getColumnDisplaySize(i),
                    md.isSigned(i)));
        }
        return out;
    }

    /** A column computed by vshard itself (admin results). */
    public static ColumnInfo computed(String label, int type, String typeName, String className) {
        return new ColumnInfo(
                label, label, type, typeName, className, 0, 0, ResultSetMetaData.columnNullableUnknown, "", 32, true);
    }
}
