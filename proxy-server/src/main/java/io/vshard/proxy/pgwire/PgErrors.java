package io.vshard.proxy.pgwire;

import io.netty.buffer.ByteBuf;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds ErrorResponse and NoticeResponse messages. Backend errors are passed on, not re-worded: when the
 * SQLException carries PostgreSQL's own fields (pgjdbc's {@code getServerErrorMessage()}, read reflectively so
 * the backend stays plain JDBC) every field is forwarded; otherwise SQLSTATE and message are.
 */
final class PgErrors {

    private static final Map<Character, String> SERVER_FIELDS = fieldGetters();

    private PgErrors() {}

    private static Map<Character, String> fieldGetters() {
        Map<Character, String> getters = new LinkedHashMap<>();
        getters.put('D', "getDetail");
        getters.put('H', "getHint");
        getters.put('P', "getPosition");
        getters.put('W', "getWhere");
        getters.put('s', "getSchema");
        getters.put('t', "getTable");
        getters.put('c', "getColumn");
        getters.put('d', "getDatatype");
        getters.put('n', "getConstraint");
        getters.put('F', "getFile");
        getters.put('L', "getLine");
        getters.put('R', "getRoutine");
        return getters;
    }

    /**
     * Whether the ErrorResponse body from {@code from} to {@code to} in {@code frame} has severity FATAL or PANIC
     * (the backend ends the connection after it).
     */
    static boolean fatal(ByteBuf frame, int from, int to) {
        int at = from;
        while (at < to && frame.getByte(at) != 0) {
            byte field = frame.getByte(at);
            int end = frame.indexOf(at + 1, to, (byte) 0);
            if (end < 0) {
                return false;
            }
            if (field == 'V' || field == 'S') {
                String severity = frame.toString(at + 1, end - at - 1, StandardCharsets.US_ASCII);
                return severity.equals("FATAL") || severity.equals("PANIC");
            }
            at = end + 1;
        }
        return false;
    }

    /** An ErrorResponse (severity ERROR or FATAL) the proxy raises itself. */
    static BackendMessage.ErrorOrNotice error(String severity, String sqlState, String message) {
        Map<Character, String> fields = new LinkedHashMap<>();
        fields.put('S', severity);
        fields.put('V', severity);
        fields.put('C', sqlState);
        fields.put('M', message);
        return new BackendMessage.ErrorOrNotice(true, fields);
    }

    /** An ErrorResponse for a backend failure; {@code positionShift} is added to a reported cursor position. */
    static BackendMessage.ErrorOrNotice fromSqlException(SQLException e, int positionShift) {
        return new BackendMessage.ErrorOrNotice(true, fields(e, "ERROR", positionShift));
    }

    /** A NoticeResponse for a backend warning. */
    static BackendMessage.ErrorOrNotice notice(SQLWarning warning) {
        return new BackendMessage.ErrorOrNotice(false, fields(warning, "WARNING", 0));
    }

    private static Map<Character, String> fields(SQLException e, String defaultSeverity, int positionShift) {
        Map<Character, String> fields = new LinkedHashMap<>();
        Object server = serverErrorMessage(e);
        String severity = server == null ? null : call(server, "getSeverity");
        fields.put('S', severity == null ? defaultSeverity : severity);
        fields.put('V', severity == null ? defaultSeverity : severity);
        String state = e.getSQLState();
        fields.put('C', state == null || state.length() != 5 ? "XX000" : state);
        String message = server == null ? null : call(server, "getMessage");
        fields.put('M', message != null ? message : e.getMessage() == null ? e.toString() : e.getMessage());
        if (server != null) {
            for (Map.Entry<Character, String> getter : SERVER_FIELDS.entrySet()) {
                String value = call(server, getter.getValue());
                if (value != null && !value.isEmpty() && !(getter.getKey() == 'P' && "0".equals(value))) {
                    fields.put(getter.getKey(), value);
                }
            }
            String position = fields.get('P');
            if (position != null && positionShift != 0) {
                fields.put('P', Integer.toString(Integer.parseInt(position) + positionShift));
            }
        } else if (onH2Catalog(e)) {
            fields.put('H', H2_CATALOG_HINT);
        }
        return fields;
    }

    /**
     * The hint for a catalog query the embedded H2 default shard cannot answer: psql's {@code \dt} and
     * {@code \d} read PostgreSQL's own catalog columns (such as {@code pg_class.relowner}), which H2's partial
     * {@code pg_catalog} lacks. The backend's message is passed on as it is; this says what to do instead.
     */
    static final String H2_CATALOG_HINT = "the default shard is an embedded H2 database, whose pg_catalog is"
            + " partial (psql's \\d and \\dt need columns such as pg_class.relowner); list the tables with"
            + " SELECT table_schema, table_name FROM information_schema.tables, or run the proxy on a PostgreSQL fleet";

    /** Whether {@code e} is H2's failure on a statement that reads {@code pg_catalog}. */
    static boolean onH2Catalog(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t.getClass().getName().startsWith("org.h2.")
                    && message != null
                    && message.toLowerCase(java.util.Locale.ROOT).contains("pg_catalog")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static Object serverErrorMessage(SQLException e) {
        try {
            Method method = e.getClass().getMethod("getServerErrorMessage");
            return method.invoke(e);
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            return null;
        }
    }

    private static String call(Object target, String getter) {
        try {
            Object value = target.getClass().getMethod(getter).invoke(target);
            return value == null ? null : value.toString();
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            return null;
        }
    }
}
