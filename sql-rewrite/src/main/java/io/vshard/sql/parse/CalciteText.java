package io.vshard.sql.parse;

import java.util.List;
import java.util.Set;

/** Builds the layout-preserving text handed to Calcite (see {@link Scan}). */
final class CalciteText {
    private static final Set<String> TYPE_SECOND_WORDS = Set.of("precision", "varying", "with", "without");

    private static final Set<String> UNITS =
            Set.of("year", "month", "day", "hour", "minute", "second", "week", "quarter");

    private CalciteText() {}

    /** Whether {@code AS} at {@code i} aliases the target of {@code INSERT INTO t AS a (...)}. */
    private static boolean insertAlias(String sql, List<Token> tokens, int i) {
        for (int k = i - 1; k >= 0; k--) {
            Token t = tokens.get(k);
            if (t.is(sql, "into")) {
                return true;
            }
            if (t.kind() != Token.Kind.WORD
                    && t.kind() != Token.Kind.QUOTED
                    && !t.text(sql).equals(".")) {
                return false;
            }
        }
        return false;
    }

    static String build(Scan scan) {
        String sql = scan.sql();
        List<Token> tokens = scan.tokens();
        char[] out = new char[sql.length()];
        for (int i = 0; i < out.length; i++) {
            char c = sql.charAt(i);
            out[i] = c == '\n' ? '\n' : ' ';
        }
        int slot = 0;
        int end = scan.tailToken();
        int i = scan.bodyStart();
        while (i < end) {
            Token t = tokens.get(i);
            if (slot < scan.slotCount() && scan.slotToken(slot) == i) {
                out[t.start()] = '?';
                slot++;
                i++;
            } else if (t.kind() == Token.Kind.OP && t.text(sql).equals("::")) {
                i = skipType(sql, tokens, i + 1, end);
            } else if (i == scan.bodyStart() && t.is(sql, "replace")) {
                "INSERT ".getChars(0, 7, out, t.start());
                i++;
            } else if (i == scan.bodyStart() + 1
                    && t.is(sql, "ignore")
                    && tokens.get(i - 1).is(sql, "insert")) {
                i++;
            } else if (t.is(sql, "interval")
                    && i + 1 < end
                    && tokens.get(i + 1).kind() == Token.Kind.STRING
                    && (i + 2 >= end || !UNITS.contains(Classifier.word(sql, tokens, i + 2)))) {
                // PostgreSQL's interval '7 days' is opaque to Calcite; the bare string routes the same.
                i++;
            } else if (scan.kind() == StatementKind.INSERT && t.is(sql, "as") && insertAlias(sql, tokens, i)) {
                i += 2;
            } else {
                sql.getChars(t.start(), t.end(), out, t.start());
                if (t.kind() == Token.Kind.QUOTED && sql.charAt(t.start()) == '`') {
                    out[t.start()] = '"';
                    out[t.end() - 1] = '"';
                }
                i++;
            }
        }
        for (int k = 0; k < out.length; k++) {
            if (out[k] == '\t' || out[k] == '\r') {
                out[k] = ' ';
            }
        }
        return new String(out);
    }

    /** Skips a type name after {@code ::}: words, dots, one parenthesized modifier list, array brackets. */
    static int skipType(String sql, List<Token> tokens, int i, int end) {
        if (i < end && (tokens.get(i).kind() == Token.Kind.WORD || tokens.get(i).kind() == Token.Kind.QUOTED)) {
            i++;
        }
        while (i + 1 < end && tokens.get(i).text(sql).equals(".")) {
            i += 2;
        }
        while (i < end
                && tokens.get(i).kind() == Token.Kind.WORD
                && (TYPE_SECOND_WORDS.contains(Classifier.word(sql, tokens, i))
                        || Classifier.word(sql, tokens, i).equals("time")
                        || Classifier.word(sql, tokens, i).equals("zone"))) {
            i++;
        }
        if (i < end && tokens.get(i).kind() == Token.Kind.LPAREN) {
            while (i < end && tokens.get(i).kind() != Token.Kind.RPAREN) {
                i++;
            }
            i++;
        }
        while (i + 1 < end
                && tokens.get(i).text(sql).equals("[")
                && tokens.get(i + 1).text(sql).equals("]")) {
            i += 2;
        }
        return i;
    }
}
