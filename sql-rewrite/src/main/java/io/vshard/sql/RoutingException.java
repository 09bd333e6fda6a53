package io.vshard.sql;

/**
 * A statement vshard refuses: a syntax error ({@code 42601}, with the position) or a construct it cannot
 * route correctly ({@code 0A000}, naming the construct). The driver and the proxy turn it into an
 * {@code SQLException} with the same SQLSTATE.
 */
public final class RoutingException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String sqlState;
    private final int position;

    /**
     * Creates the exception.
     *
     * @param sqlState the SQLSTATE
     * @param message what is wrong, naming the statement part or table at fault, and what to do
     * @param position the 1-based character position in the statement, or 0 when not applicable
     */
    public RoutingException(String sqlState, String message, int position) {
        super(message);
        this.sqlState = sqlState;
        this.position = position;
    }

    /** The SQLSTATE. */
    public String sqlState() {
        return sqlState;
    }

    /** The 1-based position, or 0. */
    public int position() {
        return position;
    }
}
