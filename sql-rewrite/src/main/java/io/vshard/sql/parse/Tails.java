package io.vshard.sql.parse;

import java.util.List;
import java.util.Locale;

/**
 * Finds the dialect tail of a statement: the trailing clause Calcite cannot parse but routing does not need
 * (locking clauses, conflict clauses, RETURNING, ORDER BY / LIMIT on DML). It is blanked for Calcite and kept
 * in the text that runs.
 */
final class Tails {
    private Tails() {}

    static int find(String sql, List<Token> tokens, StatementKind kind, int from) {
        int depth = 0;
        for (int i = from; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Token.Kind.LPAREN) {
                depth++;
            } else if (t.kind() == Token.Kind.RPAREN) {
                depth--;
            } else if (depth == 0 && t.kind() == Token.Kind.WORD && i > from && starts(sql, tokens, kind, i)) {
                return i;
            }
        }
        return tokens.size();
    }

    private static boolean starts(String sql, List<Token> tokens, StatementKind kind, int i) {
        String w = Classifier.word(sql, tokens, i);
        String next = Classifier.word(sql, tokens, i + 1);
        return switch (kind) {
            case QUERY ->
                (w.equals("for")
                                && (next.equals("update")
                                        || next.equals("share")
                                        || next.equals("no")
                                        || next.equals("key")))
                        || (w.equals("lock") && next.equals("in"));
            case INSERT ->
                (w.equals("on") && (next.equals("conflict") || next.equals("duplicate"))) || w.equals("returning");
            case UPDATE, DELETE ->
                w.equals("returning") || w.equals("limit") || (w.equals("order") && next.equals("by"));
            default -> false;
        };
    }

    static String describe(String sql, List<Token> tokens, int i) {
        String w = Classifier.word(sql, tokens, i);
        int words =
                switch (w) {
                    case "on" -> Classifier.word(sql, tokens, i + 1).equals("duplicate") ? 4 : 2;
                    case "lock" -> 4;
                    case "for", "order" -> 2;
                    default -> 1;
                };
        StringBuilder b = new StringBuilder();
        for (int k = i; k < i + words && k < tokens.size(); k++) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(tokens.get(k).text(sql).toUpperCase(Locale.ROOT));
        }
        return b.toString();
    }
}
