package io.vshard.proxy.pgwire;

import io.vshard.engine.DirectRead;
import io.vshard.engine.Engine;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * A statement created by a Parse message: the client's SQL, its JDBC rewrite and parameter types, and the JDBC
 * {@link PreparedStatement}, prepared on first use. Owned by one {@link PgSession}.
 */
final class PgStatement implements AutoCloseable {

    final String sql;
    final CommandTag tag;
    final SqlScanner.Rewritten rewritten;
    final int[] parameterTypes;
    /** The types the client's Parse declared, as it sent them (a backend must get exactly these). */
    final int[] declaredTypes;

    private PreparedStatement prepared;
    private DirectRead directRead;
    private boolean directReadKnown;
    private List<PgColumns.Column> columns;
    private boolean parameterTypesResolved;
    /** {@link SharedUse#shareable} of the text: 0 not known yet, 1 yes, -1 no. */
    private byte shareable;

    PgStatement(String sql, int[] declaredTypes) {
        this.sql = sql;
        this.tag = CommandTag.of(sql);
        this.rewritten = SqlScanner.rewrite(sql);
        this.declaredTypes = declaredTypes.clone();
        this.parameterTypes = Arrays.copyOf(declaredTypes, Math.max(declaredTypes.length, rewritten.parameterCount()));
    }

    /** Whether it may run on a backend connection shared with other sessions ({@link SharedUse}). */
    boolean shareable() {
        if (shareable == 0) {
            shareable = SharedUse.shareable(sql) ? (byte) 1 : (byte) -1;
        }
        return shareable > 0;
    }

    boolean isEmpty() {
        return tag.words().isEmpty() && sql.isBlank();
    }

    boolean isTransactionControl() {
        return tag.kind() != CommandTag.Kind.OTHER;
    }

    PreparedStatement prepared(Connection connection) throws SQLException {
        if (prepared == null) {
            prepared = connection.prepareStatement(rewritten.sql());
        }
        return prepared;
    }

    /** The parameter type OIDs, asking the backend for those the client left unspecified. */
    int[] resolvedParameterTypes(Connection connection) throws SQLException {
        if (!parameterTypesResolved && rewritten.parameterOrder().length > 0) {
            parameterTypesResolved = true;
            ParameterMetaData metaData = prepared(connection).getParameterMetaData();
            int[] order = rewritten.parameterOrder();
            for (int k = 0; k < order.length && k < metaData.getParameterCount(); k++) {
                if (parameterTypes[order[k]] == 0) {
                    parameterTypes[order[k]] =
                            PgType.fromJdbc(metaData.getParameterTypeName(k + 1), metaData.getParameterType(k + 1)).oid;
                }
            }
        }
        return parameterTypes;
    }

    /**
     * The statement's direct route planned once by {@code engine} ({@link Engine#directRead}),
     * asked on first use; {@code null} when each execution must be planned.
     */
    DirectRead directRead(Engine engine) {
        if (!directReadKnown) {
            directRead = engine.directRead(rewritten.sql());
            directReadKnown = true;
        }
        return directRead;
    }

    /** The result columns, cached after the first describe or execution; empty when it returns no rows. */
    List<PgColumns.Column> columns() {
        return columns;
    }

    void columns(List<PgColumns.Column> columns) {
        this.columns = columns;
    }

    @Override
    public void close() throws SQLException {
        if (prepared != null) {
            prepared.close();
            prepared = null;
        }
    }
}
