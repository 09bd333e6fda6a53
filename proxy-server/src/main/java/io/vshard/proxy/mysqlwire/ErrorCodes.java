package io.vshard.proxy.mysqlwire;

import java.sql.SQLException;

/**
 * MySQL error numbers the proxy raises itself, and how a backend {@link SQLException} becomes an ERR
 * packet: the backend's vendor code and SQLSTATE pass through unchanged when present.
 */
final class ErrorCodes {
    static final int ACCESS_DENIED = 1045;
    static final int TOO_MANY_CONNECTIONS = 1040;
    static final int UNKNOWN_COMMAND = 1047;
    static final int NET_PACKET_TOO_LARGE = 1153;
    static final int UNKNOWN_STMT_HANDLER = 1243;
    static final int WRONG_ARGUMENTS = 1210;
    static final int SYNTAX_ERROR = 1064;
    static final int NOT_SUPPORTED = 1235;
    static final int UNKNOWN_ERROR = 1105;

    private ErrorCodes() {}

    static void write(ResponseWriter out, SQLException e) {
        String state = e.getSQLState() != null && e.getSQLState().length() == 5 ? e.getSQLState() : "HY000";
        int code = e.getErrorCode() > 0 && e.getErrorCode() < 65536 ? e.getErrorCode() : codeFor(state);
        out.error(code, state, e.getMessage());
    }

    private static int codeFor(String sqlState) {
        if (sqlState.startsWith("42")) {
            return SYNTAX_ERROR;
        }
        if (sqlState.equals("0A000")) {
            return NOT_SUPPORTED;
        }
        if (sqlState.equals("28000") || sqlState.equals("28P01")) {
            return ACCESS_DENIED;
        }
        return UNKNOWN_ERROR;
    }
}
