package io.vshard.proxy.mysqlwire;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Statements that change the state of the session rather than data. The proxy maps them onto the JDBC
 * connection API (so any JDBC backend, including the vshard driver, sees them) or answers them itself.
 *
 * @param kind what the statement does
 * @param on for {@code SET autocommit}, the new value
 */
record SessionStatement(Kind kind, boolean on) {
    enum Kind {
        /**
         * {@code SET NAMES} / {@code SET CHARACTER SET} / {@code SET character_set_results = ...}: the proxy always
         * speaks UTF-8 (it re-encodes results, and relayed links are utf8mb4), so it is a no-op.
         */
        SET_NAMES,
        SET_AUTOCOMMIT,
        BEGIN,
        COMMIT,
        ROLLBACK,
        OTHER
    }

    private static final Pattern SET_NAMES = Pattern.compile("set\\s+(names|character\\s+set|charset)\\s+.*"
            + "|set\\s+(session\\s+|@@session\\.|@@)?(character_set_(client|results|connection)|collation_connection)"
            + "\\s*=.*");
    private static final Pattern AUTOCOMMIT =
            Pattern.compile("set\\s+(?:session\\s+|@@session\\.|@@)?autocommit\\s*=\\s*(\\w+)");
    private static final Pattern BEGIN = Pattern.compile("begin(\\s+work)?|start\\s+transaction(\\s+read\\s+\\w+)?");
    private static final Pattern COMMIT = Pattern.compile("commit(\\s+work)?");
    private static final Pattern ROLLBACK = Pattern.compile("rollback(\\s+work)?");
    private static final SessionStatement OTHER_STATEMENT = new SessionStatement(Kind.OTHER, false);

    static SessionStatement classify(String sql) {
        String s = sql.strip();
        if (s.length() > 64) {
            return OTHER_STATEMENT;
        }
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        s = s.toLowerCase(Locale.ROOT);
        if (SET_NAMES.matcher(s).matches() && !s.contains(",")) {
            return new SessionStatement(Kind.SET_NAMES, false);
        }
        Matcher m = AUTOCOMMIT.matcher(s);
        if (m.matches()) {
            String v = m.group(1);
            if (v.equals("1") || v.equals("on") || v.equals("true")) {
                return new SessionStatement(Kind.SET_AUTOCOMMIT, true);
            }
            if (v.equals("0") || v.equals("off") || v.equals("false")) {
                return new SessionStatement(Kind.SET_AUTOCOMMIT, false);
            }
            return OTHER_STATEMENT;
        }
        if (BEGIN.matcher(s).matches()) {
            return new SessionStatement(Kind.BEGIN, false);
        }
        if (COMMIT.matcher(s).matches()) {
            return new SessionStatement(Kind.COMMIT, false);
        }
        if (ROLLBACK.matcher(s).matches()) {
            return new SessionStatement(Kind.ROLLBACK, false);
        }
        return OTHER_STATEMENT;
    }

    /** Whether an INSERT or REPLACE, whose OK packet carries the generated key. */
    static boolean generatesKeys(String sql) {
        int i = 0;
        while (i < sql.length() && (Character.isWhitespace(sql.charAt(i)) || sql.charAt(i) == '(')) {
            i++;
        }
        return sql.regionMatches(true, i, "insert", 0, 6) || sql.regionMatches(true, i, "replace", 0, 7);
    }
}
