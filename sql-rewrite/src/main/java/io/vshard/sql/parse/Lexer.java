package io.vshard.sql.parse;

import io.vshard.sql.RoutingException;
import io.vshard.sql.parse.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A quote- and comment-aware SQL lexer covering the PostgreSQL and MySQL forms vshard meets: {@code '..'}
 * with doubled quotes, {@code E'..'} with backslash escapes, {@code $$..$$} and {@code $tag$..$tag$},
 * {@code "..."} and {@code `..`} identifiers, {@code --} and nested {@code /* *}{@code /} comments,
 * {@code ?} and {@code $n} parameters. It never fails on unknown characters (they become operators); it
 * fails with 42601 only on an unterminated quote or comment.
 */
public final class Lexer {
    private Lexer() {}

    /**
     * Tokenizes {@code sql}.
     *
     * @throws RoutingException 42601 on an unterminated literal, identifier or comment
     */
    public static List<Token> tokenize(String sql) {
        List<Token> out = new ArrayList<>(Math.max(8, sql.length() / 4));
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c <= ' ' || Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                i = lineEnd(sql, i);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = blockCommentEnd(sql, i);
            } else if (c == '\'') {
                i = add(out, Kind.STRING, i, quoted(sql, i, '\'', false));
            } else if (c == '"' || c == '`') {
                i = add(out, Kind.QUOTED, i, quoted(sql, i, c, false));
            } else if (isPrefixedString(sql, i)) {
                boolean backslash = c == 'e' || c == 'E';
                int q = sql.indexOf('\'', i);
                i = add(out, Kind.STRING, i, quoted(sql, q, '\'', backslash));
            } else if (c == '$') {
                i = dollar(sql, i, out);
            } else if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1)))) {
                i = add(out, Kind.NUMBER, i, number(sql, i));
            } else if (Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < n && isWordPart(sql.charAt(j))) {
                    j++;
                }
                i = add(out, Kind.WORD, i, j);
            } else {
                i = punctuation(sql, i, out);
            }
        }
        return out;
    }

    private static int punctuation(String sql, int i, List<Token> out) {
        char c = sql.charAt(i);
        char next = i + 1 < sql.length() ? sql.charAt(i + 1) : 0;
        switch (c) {
            case '(':
                return add(out, Kind.LPAREN, i, i + 1);
            case ')':
                return add(out, Kind.RPAREN, i, i + 1);
            case ',':
                return add(out, Kind.COMMA, i, i + 1);
            case ';':
                return add(out, Kind.SEMICOLON, i, i + 1);
            case '?':
                // '??', '?|' and '?&' are PostgreSQL JSON operators (pgjdbc escapes '?' as '??').
                if (next == '?' || next == '|' || next == '&') {
                    return add(out, Kind.OP, i, i + 2);
                }
                return add(out, Kind.QMARK, i, i + 1);
            case ':':
                return add(out, Kind.OP, i, next == ':' || next == '=' ? i + 2 : i + 1);
            case '<':
            case '>':
            case '!':
            case '|':
            case '@':
                if (next == '=' || next == '>' || next == '|' || next == '@') {
                    return add(out, Kind.OP, i, i + 2);
                }
                return add(out, Kind.OP, i, i + 1);
            default:
                return add(out, Kind.OP, i, i + 1);
        }
    }

    private static int add(List<Token> out, Kind kind, int start, int end) {
        out.add(new Token(kind, start, end));
        return end;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static boolean isPrefixedString(String sql, int i) {
        char c = sql.charAt(i);
        int n = sql.length();
        boolean prefix = "eEnNxXbB".indexOf(c) >= 0;
        if (prefix && i + 1 < n && sql.charAt(i + 1) == '\'') {
            return i == 0 || !isWordPart(sql.charAt(i - 1));
        }
        return (c == 'u' || c == 'U')
                && i + 2 < n
                && sql.charAt(i + 1) == '&'
                && sql.charAt(i + 2) == '\''
                && (i == 0 || !isWordPart(sql.charAt(i - 1)));
    }

    private static int lineEnd(String sql, int i) {
        int nl = sql.indexOf('\n', i);
        return nl < 0 ? sql.length() : nl + 1;
    }

    private static int blockCommentEnd(String sql, int start) {
        int depth = 0;
        int i = start;
        int n = sql.length();
        while (i < n) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw new RoutingException("42601", "unterminated /* comment", start + 1);
    }

    /** Returns the end of a quoted run starting at the quote {@code q}. */
    private static int quoted(String sql, int q, char quote, boolean backslash) {
        int n = sql.length();
        int i = q + 1;
        while (i < n) {
            char c = sql.charAt(i);
            if (backslash && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        String what = quote == '\'' ? "string literal" : "quoted identifier";
        throw new RoutingException("42601", "unterminated " + what, q + 1);
    }

    private static int dollar(String sql, int i, List<Token> out) {
        int n = sql.length();
        int j = i + 1;
        if (j < n && isDigit(sql.charAt(j))) {
            while (j < n && isDigit(sql.charAt(j))) {
                j++;
            }
            return add(out, Kind.DOLLAR_PARAM, i, j);
        }
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        if (j < n && sql.charAt(j) == '$') {
            String tag = sql.substring(i, j + 1);
            int close = sql.indexOf(tag, j + 1);
            if (close < 0) {
                throw new RoutingException("42601", "unterminated dollar-quoted string", i + 1);
            }
            return add(out, Kind.STRING, i, close + tag.length());
        }
        return add(out, Kind.OP, i, i + 1);
    }

    private static int number(String sql, int i) {
        int n = sql.length();
        int j = i;
        if (sql.charAt(j) == '0' && j + 1 < n && (sql.charAt(j + 1) == 'x' || sql.charAt(j + 1) == 'X')) {
            j += 2;
            while (j < n && Character.digit(sql.charAt(j), 16) >= 0) {
                j++;
            }
            return j;
        }
        while (j < n && isDigit(sql.charAt(j))) {
            j++;
        }
        if (j < n && sql.charAt(j) == '.' && !(j + 1 < n && sql.charAt(j + 1) == '.')) {
            j++;
            while (j < n && isDigit(sql.charAt(j))) {
                j++;
            }
        }
        if (j < n && (sql.charAt(j) == 'e' || sql.charAt(j) == 'E')) {
            int k = j + 1;
            if (k < n && (sql.charAt(k) == '+' || sql.charAt(k) == '-')) {
                k++;
            }
            if (k < n && isDigit(sql.charAt(k))) {
                j = k;
                while (j < n && isDigit(sql.charAt(j))) {
                    j++;
                }
            }
        }
        return j;
    }
}
