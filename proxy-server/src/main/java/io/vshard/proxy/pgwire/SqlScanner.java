package io.vshard.proxy.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A PostgreSQL lexer just deep enough for the proxy: it knows quoted strings ({@code '..'}, {@code E'..'}),
 * quoted identifiers, dollar quotes, line comments and nested block comments, so that it can split a simple-query
 * string at top-level semicolons, rewrite {@code $n} placeholders to JDBC {@code ?}, and read a statement's
 * leading keywords. Stateless; malformed input (an unterminated quote) simply runs to the end of the string.
 */
final class SqlScanner {

    /** One statement of a multi-statement query and its character offset in the original string. */
    record Piece(String sql, int offset) {}

    /** A statement rewritten for JDBC: {@code parameterOrder[k]} is the 0-based $n index of the k-th {@code ?}. */
    record Rewritten(String sql, int[] parameterOrder, int parameterCount) {}

    private SqlScanner() {}

    /** Splits at top-level semicolons; pieces holding only whitespace and comments are dropped. */
    static List<Piece> split(String sql) {
        List<Piece> pieces = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < sql.length()) {
            if (sql.charAt(i) == ';') {
                addPiece(sql, start, i, pieces);
                start = i + 1;
                i++;
            } else {
                i = skipToken(sql, i);
            }
        }
        addPiece(sql, start, sql.length(), pieces);
        return pieces;
    }

    private static void addPiece(String sql, int start, int end, List<Piece> pieces) {
        String piece = sql.substring(start, end);
        if (hasCode(piece)) {
            pieces.add(new Piece(piece, start));
        }
    }

    private static boolean hasCode(String sql) {
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (startsComment(sql, i)) {
                i = skipToken(sql, i);
            } else {
                return true;
            }
        }
        return false;
    }

    /** Rewrites {@code $n} to {@code ?} and a bare {@code ?} (an operator) to pgjdbc's escape {@code ??}. */
    static Rewritten rewrite(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<Integer> order = new ArrayList<>();
        int max = 0;
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '$'
                    && i + 1 < sql.length()
                    && Character.isDigit(sql.charAt(i + 1))
                    && (i == 0 || !isIdentifierPart(sql.charAt(i - 1)))) {
                int end = i + 1;
                while (end < sql.length() && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                int n = Integer.parseInt(sql.substring(i + 1, Math.min(end, i + 7)));
                order.add(n - 1);
                max = Math.max(max, n);
                out.append('?');
                i = end;
            } else if (c == '?') {
                out.append("??");
                i++;
            } else {
                int next = skipToken(sql, i);
                out.append(sql, i, next);
                i = next;
            }
        }
        return new Rewritten(
                out.toString(), order.stream().mapToInt(Integer::intValue).toArray(), max);
    }

    /** The first {@code count} words of the statement, upper-cased, skipping comments and opening parentheses. */
    static List<String> keywords(String sql, int count) {
        List<String> words = new ArrayList<>(count);
        int i = 0;
        while (i < sql.length() && words.size() < count) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (startsComment(sql, i)) {
                i = skipToken(sql, i);
            } else if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < sql.length() && isIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                words.add(sql.substring(i, end).toUpperCase(Locale.ROOT));
                i = end;
            } else {
                break;
            }
        }
        return words;
    }

    private static boolean startsComment(String sql, int i) {
        return sql.startsWith("--", i) || sql.startsWith("/*", i);
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** Returns the index after the token starting at {@code i} (a quote, comment, or one character). */
    private static int skipToken(String sql, int i) {
        char c = sql.charAt(i);
        if (c == '\'') {
            boolean escapes = i > 0
                    && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                    && (i < 2 || !isIdentifierPart(sql.charAt(i - 2)));
            return skipQuoted(sql, i, '\'', escapes);
        } else if (c == '"') {
            return skipQuoted(sql, i, '"', false);
        } else if (sql.startsWith("--", i)) {
            int end = sql.indexOf('\n', i);
            return end < 0 ? sql.length() : end + 1;
        } else if (sql.startsWith("/*", i)) {
            return skipBlockComment(sql, i);
        } else if (c == '$' && (i == 0 || !isIdentifierPart(sql.charAt(i - 1)))) {
            return skipDollarQuote(sql, i);
        } else if (isIdentifierPart(c)) {
            int end = i;
            while (end < sql.length() && isIdentifierPart(sql.charAt(end))) {
                end++;
            }
            return end;
        }
        return i + 1;
    }

    private static int skipQuoted(String sql, int i, char quote, boolean backslashEscapes) {
        int j = i + 1;
        while (j < sql.length()) {
            char c = sql.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
            } else if (c == quote) {
                if (j + 1 < sql.length() && sql.charAt(j + 1) == quote) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        return sql.length();
    }

    private static int skipBlockComment(String sql, int i) {
        int depth = 0;
        int j = i;
        while (j < sql.length()) {
            if (sql.startsWith("/*", j)) {
                depth++;
                j += 2;
            } else if (sql.startsWith("*/", j)) {
                depth--;
                j += 2;
                if (depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        return sql.length();
    }

    private static int skipDollarQuote(String sql, int i) {
        int j = i + 1;
        while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            if (j == i + 1 && Character.isDigit(sql.charAt(j))) {
                return i + 1;
            }
            j++;
        }
        if (j >= sql.length() || sql.charAt(j) != '$') {
            return i + 1;
        }
        String tag = sql.substring(i, j + 1);
        int end = sql.indexOf(tag, j + 1);
        return end < 0 ? sql.length() : end + tag.length();
    }
}
