package io.vshard.jdbc;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientException;

/** An error vshard raises itself, carrying its {@link VShardState}. Retryable states use {@link #of}. */
public class VShardSQLException extends SQLException {
    private static final long serialVersionUID = 1L;
    private final transient VShardState state;

    /**
     * Creates the exception.
     *
     * @param state the state
     * @param cause the cause, or {@code null}
     * @param args the message template's arguments
     */
    public VShardSQLException(VShardState state, Throwable cause, Object... args) {
        super(state.message(args), state.sqlState(), cause);
        this.state = state;
    }

    /** The state. */
    public VShardState state() {
        return state;
    }

    /**
     * The exception for {@code state}: an {@link SQLTransientException} for retryable states, an
     * {@link SQLFeatureNotSupportedException} for unsupported JDBC methods, else a {@link VShardSQLException}.
     */
    public static SQLException of(VShardState state, Throwable cause, Object... args) {
        if (state.retryable()) {
            return new SQLTransientException(state.message(args), state.sqlState(), cause);
        }
        if (state == VShardState.FEATURE_NOT_SUPPORTED) {
            return new SQLFeatureNotSupportedException(state.message(args), state.sqlState(), cause);
        }
        return new VShardSQLException(state, cause, args);
    }

    /** The exception for a JDBC method vshard does not implement, naming it. */
    public static SQLFeatureNotSupportedException unsupported(String method) {
        return (SQLFeatureNotSupportedException) of(VShardState.FEATURE_NOT_SUPPORTED, null, method);
    }
}
