package io.vshard.sql.parse;

/**
 * One lexical token of a statement: a half-open character range of the original text and its kind.
 *
 * @param kind what it is
 * @param start first character, 0-based
 * @param end one past the last character
 */
public record Token(Kind kind, int start, int end) {

    /** Token kinds; comments and white space produce no token. */
    public enum Kind {
        /** An unquoted identifier or keyword. */
        WORD,
        /** A {@code "double-quoted"} or {@code `back-quoted`} identifier. */
        QUOTED,
        /** A string literal: {@code '..'}, {@code E'..'}, {@code N'..'}, {@code X'..'}, {@code $$..$$}. */
        STRING,
        /** A numeric literal. */
        NUMBER,
        /** A JDBC {@code ?} parameter. */
        QMARK,
        /** A PostgreSQL {@code $n} parameter. */
        DOLLAR_PARAM,
        /** {@code (}. */
        LPAREN,
        /** {@code )}. */
        RPAREN,
        /** {@code ,}. */
        COMMA,
        /** {@code ;}. */
        SEMICOLON,
        /** Any other operator or punctuation, {@code ::} included. */
        OP
    }

    /** The token's text. */
    public String text(String sql) {
        return sql.substring(start, end);
    }

    /** Whether this is a literal (string or number). */
    public boolean isLiteral() {
        return kind == Kind.STRING || kind == Kind.NUMBER;
    }

    /** Whether this is a parameter marker. */
    public boolean isParameter() {
        return kind == Kind.QMARK || kind == Kind.DOLLAR_PARAM;
    }

    /** Whether this is the unquoted word {@code word}, ignoring case. */
    public boolean is(String sql, String word) {
        return kind == Kind.WORD
                && end - start == word.length()
                && sql.regionMatches(true, start, word, 0, end - start);
    }
}
