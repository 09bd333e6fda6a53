package io.vshard.sql.route;

import io.vshard.sql.parse.Scan;
import io.vshard.sql.parse.Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a statement by editing its original text at token boundaries, so everything not edited (dialect
 * syntax, comments, casts, quoting) stays as the application wrote it. Parameters are re-bound in their new
 * order: {@code ?} markers take their values in text order; {@code $n} markers are renumbered by first use.
 * Not thread safe; one instance per rewrite.
 */
final class Splice {
    /** A piece of output: literal text, a token range of the original, or a new parameter. */
    record Piece(String text, int from, int to, Object parameter, boolean isParameter) {
        static Piece text(String text) {
            return new Piece(text, -1, -1, null, false);
        }

        static Piece range(int from, int to) {
            return new Piece(null, from, to, null, false);
        }

        static Piece parameter(Object value) {
            return new Piece(null, -1, -1, value, true);
        }
    }

    private record Edit(int from, int to, List<Piece> pieces) {}

    private final Scan scan;
    private final String sql;
    private final List<Token> tokens;
    private final List<Object> parameters;
    private final List<Edit> edits = new ArrayList<>();
    private final int[] qmarkOrdinal;
    private final boolean dollar;
    private final StringBuilder out = new StringBuilder();
    private final List<Object> newParameters = new ArrayList<>();
    private final Map<Integer, Integer> renumbered = new HashMap<>();

    Splice(Scan scan, List<Object> parameters) {
        this.scan = scan;
        this.sql = scan.sql();
        this.tokens = scan.tokens();
        this.parameters = parameters;
        this.qmarkOrdinal = new int[tokens.size()];
        int q = 0;
        boolean d = false;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).kind() == Token.Kind.QMARK) {
                qmarkOrdinal[i] = q++;
            }
            d |= tokens.get(i).kind() == Token.Kind.DOLLAR_PARAM;
        }
        this.dollar = d;
    }

    /** Replaces tokens {@code from..to} (inclusive; {@code to = from - 1} inserts before {@code from}). */
    Splice replace(int from, int to, List<Piece> pieces) {
        edits.add(new Edit(from, to, pieces));
        return this;
    }

    Splice replace(int token, String text) {
        return replace(token, token, List.of(Piece.text(text)));
    }

    Splice insertBefore(int token, List<Piece> pieces) {
        return replace(token, token - 1, pieces);
    }

    /** The rewritten text. */
    String sql() {
        return out.toString();
    }

    /** The parameters of the rewritten text. */
    List<Object> parameters() {
        return newParameters;
    }

    Splice apply() {
        edits.sort((a, b) -> a.from != b.from ? Integer.compare(a.from, b.from) : Integer.compare(a.to, b.to));
        int n = tokens.size();
        int i = 0;
        int e = 0;
        while (true) {
            boolean replaced = false;
            while (e < edits.size() && edits.get(e).from <= i) {
                Edit edit = edits.get(e++);
                for (Piece p : edit.pieces) {
                    emit(p);
                }
                if (edit.to >= edit.from) {
                    i = edit.to + 1;
                    replaced = true;
                    break;
                }
            }
            if (i >= n) {
                while (e < edits.size()) {
                    for (Piece p : edits.get(e++).pieces) {
                        emit(p);
                    }
                }
                return this;
            }
            if (!replaced) {
                token(i);
                i++;
            }
            // Insertions attach to the preceding token, before the white space that follows it.
            while (e < edits.size() && edits.get(e).from == i && edits.get(e).to < edits.get(e).from) {
                for (Piece p : edits.get(e++).pieces) {
                    emit(p);
                }
            }
            if (i < n) {
                out.append(sql, tokens.get(i - 1).end(), tokens.get(i).start());
            }
        }
    }

    private void emit(Piece p) {
        if (p.isParameter) {
            newParameters.add(p.parameter);
            out.append(dollar ? "$" + newParameters.size() : "?");
        } else if (p.text != null) {
            out.append(p.text);
        } else {
            for (int k = p.from; k <= p.to; k++) {
                if (k > p.from) {
                    out.append(sql, tokens.get(k - 1).end(), tokens.get(k).start());
                }
                token(k);
            }
        }
    }

    private void token(int i) {
        Token t = tokens.get(i);
        if (t.kind() == Token.Kind.QMARK) {
            newParameters.add(parameters.get(qmarkOrdinal[i]));
            out.append('?');
        } else if (t.kind() == Token.Kind.DOLLAR_PARAM) {
            int old = Integer.parseInt(t.text(sql).substring(1));
            Integer now = renumbered.get(old);
            if (now == null) {
                newParameters.add(parameters.get(old - 1));
                now = newParameters.size();
                renumbered.put(old, now);
            }
            out.append('$').append(now);
        } else {
            out.append(sql, t.start(), t.end());
        }
    }

    Scan scan() {
        return scan;
    }
}
