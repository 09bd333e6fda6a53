package io.vshard.sql.parse;

import java.util.ArrayList;
import java.util.List;

/** Splits text holding several statements at the {@code ;} that lie outside quotes and comments. */
public final class Splitter {
    private Splitter() {}

    /** The statements of {@code sql}, trimmed, without separators, empty ones (and bare comments) dropped. */
    public static List<String> split(String sql) {
        List<Token> tokens = Lexer.tokenize(sql);
        List<String> out = new ArrayList<>();
        int from = -1;
        int to = -1;
        // PostgreSQL's "BEGIN ATOMIC ... END" bodies hold ';' too; vshard does not route them, so no special case.
        for (Token t : tokens) {
            if (t.kind() == Token.Kind.SEMICOLON) {
                if (from >= 0) {
                    out.add(sql.substring(from, to));
                }
                from = -1;
            } else {
                if (from < 0) {
                    from = t.start();
                }
                to = t.end();
            }
        }
        if (from >= 0) {
            out.add(sql.substring(from, to));
        }
        return out;
    }
}
