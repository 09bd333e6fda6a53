package io.vshard.proxy.pgwire;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * A portal created by a Bind message: a statement with its parameter values and result formats. It executes on
 * the first Describe or Execute; a result set stays open so later Executes with a row limit can continue.
 */
final class PgPortal implements AutoCloseable {

    final PgStatement statement;
    final short[] parameterFormats;
    final List<byte[]> values;
    final short[] resultFormats;
    boolean executed;
    ResultSet resultSet;
    List<PgColumns.Column> columns;
    long updateCount = -1;
    long rowsSent;

    PgPortal(PgStatement statement, short[] parameterFormats, List<byte[]> values, short[] resultFormats) {
        this.statement = statement;
        this.parameterFormats = parameterFormats;
        this.values = values;
        this.resultFormats = resultFormats;
    }

    boolean binaryParameter(int index) {
        if (parameterFormats.length == 0) {
            return false;
        }
        return (parameterFormats.length == 1 ? parameterFormats[0] : parameterFormats[index]) == 1;
    }

    @Override
    public void close() throws SQLException {
        if (resultSet != null) {
            resultSet.close();
            resultSet = null;
        }
    }
}
