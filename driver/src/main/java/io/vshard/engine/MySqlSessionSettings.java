package io.vshard.engine;

import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MySQL counterpart of {@link SessionSettings}' parsing: splits a MySQL {@code SET} into one assignment per
 * variable ({@code SET a = 1, @@session.b = 'x,y', @u = 2} gives {@code SET SESSION a = 1},
 * {@code SET SESSION b = 'x,y'}, {@code SET @u = 2}), names each, and says how to undo one on a pooled
 * connection (MySQL has no {@code RESET ALL}: a system variable goes back with {@code = DEFAULT}, a user
 * variable with {@code = NULL}). Global settings, passwords and roles are refused. Stateless.
 */
final class MySqlSessionSettings {
    private static final Pattern HEAD = Pattern.compile("^\\s*SET\\s+", Pattern.CASE_INSENSITIVE);
    private static final Pattern TARGET = Pattern.compile(
            "^\\s*(?:(GLOBAL|PERSIST|PERSIST_ONLY|SESSION|LOCAL)\\s+|@@(global|session|local)\\.|@@)?"
                    + "(@?[A-Za-z_$][\\w$.]*|@`[^`]+`)\\s*(?::=|=)\\s*",
            Pattern.CASE_INSENSITIVE);

    private MySqlSessionSettings() {}

    /**
     * The assignments of one {@code SET}, each a statement of its own.
     *
     * @throws java.sql.SQLException 0A000 naming the part that cannot be replayed per session
     */
    static List<String> split(String sql) throws java.sql.SQLException {
        Matcher head = HEAD.matcher(sql);
        if (!head.find()) {
            throw notReplayable(sql.strip());
        }
        String rest = stripSemicolon(sql.substring(head.end()));
        String lower = rest.toLowerCase(Locale.ROOT).strip();
        if (lower.startsWith("names") || lower.startsWith("character set") || lower.startsWith("charset")) {
            return List.of("SET " + rest.strip());
        }
        if (lower.startsWith("password")
                || lower.startsWith("role")
                || lower.startsWith("default role")
                || lower.startsWith("transaction")) {
            throw notReplayable("SET " + rest.strip());
        }
        List<String> out = new ArrayList<>();
        for (String part : assignments(rest)) {
            Matcher m = TARGET.matcher(part);
            if (!m.find()) {
                throw notReplayable("SET " + part.strip());
            }
            String scope = m.group(1) != null ? m.group(1) : m.group(2);
            if (scope != null && !scope.equalsIgnoreCase("session") && !scope.equalsIgnoreCase("local")) {
                throw notReplayable("SET " + part.strip() + " (a global setting)");
            }
            String variable = m.group(3);
            String value = part.substring(m.end()).strip();
            if (value.isEmpty()) {
                throw notReplayable("SET " + part.strip());
            }
            out.add(
                    variable.startsWith("@")
                            ? "SET " + variable + " = " + value
                            : "SET SESSION " + variable + " = " + value);
        }
        return List.copyOf(out);
    }

    /** The variable one assignment from {@link #split} sets: {@code sql_mode}, {@code @u}, or {@code names}. */
    static String name(String assignment) {
        String s = assignment.substring(4).strip();
        if (s.regionMatches(true, 0, "SESSION ", 0, 8)) {
            s = s.substring(8).strip();
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("names") || lower.startsWith("character set") || lower.startsWith("charset")) {
            return "names";
        }
        int end = 0;
        while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '=') {
            end++;
        }
        String name = s.substring(0, end);
        return name.startsWith("@") ? name : name.toLowerCase(Locale.ROOT);
    }

    /** The statement that takes a variable back to what a fresh connection has. */
    static String undo(String name) {
        if (name.equals("names")) {
            return "SET NAMES utf8mb4";
        }
        return name.startsWith("@") ? "SET " + name + " = NULL" : "SET SESSION " + name + " = DEFAULT";
    }

    /** Splits at top-level commas: not inside quotes, backquotes or parentheses. */
    private static List<String> assignments(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote != '`') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static String stripSemicolon(String s) {
        String t = s.strip();
        return t.endsWith(";") ? t.substring(0, t.length() - 1) : t;
    }

    private static java.sql.SQLException notReplayable(String what) {
        return VShardSQLException.of(VShardState.NOT_YET_AVAILABLE, null, "'" + what + "' through vshard");
    }
}
