package io.vshard.proxy.pgwire;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which direct statements may run on a backend connection shared with other sessions ({@link PgSharedLink}): plain
 * reads that leave nothing behind in the backend session. A statement that could change what the next client on
 * the same connection sees (a setting through {@code set_config}, a session-level advisory lock, {@code currval}
 * state (set by {@code nextval}), a table made by {@code SELECT INTO}, a large object, a dblink) keeps to its session's own connection.
 * The check is lexical and errs towards the session's own connection: a listed word anywhere, even inside a string
 * literal, is enough.
 */
final class SharedUse {

    private static final Set<String> READ_VERBS = Set.of("SELECT", "WITH", "VALUES", "TABLE");
    private static final Pattern SESSION_EFFECTS = Pattern.compile(
            "(?i)\\b(into|set_config|\\w*advisory\\w*|nextval|currval|lastval|setval|dblink\\w*|lo_\\w+|pg_temp\\w*"
                    + "|listen|unlisten|prepare|deallocate|discard)\\b");

    private static final Pattern TEMPORARY_OBJECT =
            Pattern.compile("(?i)\\b(?:create\\s+(?:(?:global|local)\\s+)?|into\\s+)(?:temp|temporary)\\b");

    private SharedUse() {}

    /**
     * Whether {@code sql} makes a temporary object in the backend session that runs it (the engine path's): from
     * then on the session's reads must run there too, not on a direct link that would not see the object.
     */
    static boolean makesTemporaryObject(String sql) {
        return TEMPORARY_OBJECT.matcher(sql).find();
    }

    /**
     * Words that may stand before a parenthesis in a read without calling anything that writes: SQL keywords and
     * type names, and PostgreSQL's built-in functions without side effects. Any other call (a user function, which
     * may write) keeps the statement to its session's own connection, because a unit waiting behind a long one on
     * a shared link is run again elsewhere ({@link PgSharedLink}), and a write must never run twice.
     */
    private static final Set<String> PURE_CALLS = Set.of(
            // keywords and type names
            "select",
            "from",
            "where",
            "and",
            "or",
            "not",
            "in",
            "exists",
            "any",
            "all",
            "some",
            "values",
            "over",
            "filter",
            "within",
            "as",
            "on",
            "using",
            "join",
            "lateral",
            "when",
            "then",
            "else",
            "case",
            "row",
            "array",
            "cast",
            "coalesce",
            "nullif",
            "greatest",
            "least",
            "interval",
            "between",
            "like",
            "ilike",
            "is",
            "distinct",
            "union",
            "except",
            "intersect",
            "by",
            "having",
            "limit",
            "offset",
            "with",
            "table",
            "extract",
            "position",
            "substring",
            "trim",
            "overlay",
            "collate",
            "float",
            "numeric",
            "decimal",
            "varchar",
            "char",
            "character",
            "varying",
            "time",
            "timestamp",
            "timestamptz",
            "bit",
            "precision",
            "int",
            "integer",
            "bigint",
            "smallint",
            "text",
            "date",
            "boolean",
            "uuid",
            "json",
            "jsonb",
            "bytea",
            // aggregates and window functions
            "count",
            "sum",
            "avg",
            "min",
            "max",
            "stddev",
            "stddev_pop",
            "stddev_samp",
            "variance",
            "var_pop",
            "var_samp",
            "bool_and",
            "bool_or",
            "every",
            "string_agg",
            "array_agg",
            "json_agg",
            "jsonb_agg",
            "json_object_agg",
            "jsonb_object_agg",
            "percentile_cont",
            "percentile_disc",
            "mode",
            "rank",
            "dense_rank",
            "percent_rank",
            "cume_dist",
            "row_number",
            "ntile",
            "lag",
            "lead",
            "first_value",
            "last_value",
            "nth_value",
            // scalar functions
            "abs",
            "ceil",
            "ceiling",
            "floor",
            "round",
            "trunc",
            "mod",
            "power",
            "sqrt",
            "exp",
            "ln",
            "log",
            "sign",
            "random",
            "length",
            "char_length",
            "character_length",
            "octet_length",
            "lower",
            "upper",
            "initcap",
            "concat",
            "concat_ws",
            "left",
            "right",
            "lpad",
            "rpad",
            "ltrim",
            "rtrim",
            "btrim",
            "replace",
            "split_part",
            "strpos",
            "substr",
            "md5",
            "encode",
            "decode",
            "format",
            "to_char",
            "to_date",
            "to_timestamp",
            "to_number",
            "now",
            "date_trunc",
            "date_part",
            "age",
            "make_date",
            "make_timestamp",
            "make_timestamptz",
            "make_interval",
            "clock_timestamp",
            "statement_timestamp",
            "transaction_timestamp",
            "timezone",
            "generate_series",
            "unnest",
            "array_length",
            "array_position",
            "array_to_string",
            "string_to_array",
            "cardinality",
            "jsonb_build_object",
            "json_build_object",
            "jsonb_build_array",
            "json_build_array",
            "jsonb_extract_path",
            "jsonb_extract_path_text",
            "json_extract_path",
            "json_extract_path_text",
            "jsonb_array_length",
            "jsonb_typeof",
            "jsonb_array_elements",
            "json_array_elements",
            "jsonb_each",
            "to_json",
            "to_jsonb",
            "row_to_json",
            "version",
            "current_setting",
            "pg_sleep",
            "gen_random_uuid",
            "regexp_replace",
            "regexp_match",
            "regexp_matches",
            "starts_with",
            "reverse",
            "repeat",
            "translate",
            "quote_ident",
            "quote_literal",
            "hashtext",
            "width_bucket",
            "div");

    // A data-modifying WITH, or a row lock, is not a plain read.
    private static final Set<String> WRITING_WORDS = Set.of("insert", "update", "delete", "merge", "share");

    /** Whether {@code sql} (one statement) may share a backend connection with other sessions. */
    static boolean shareable(String sql) {
        return READ_VERBS.contains(CommandTag.of(sql).verb())
                && !SESSION_EFFECTS.matcher(sql).find()
                && callsOnlyPureFunctions(sql);
    }

    /**
     * Whether every word before a parenthesis in {@code sql} is in {@link #PURE_CALLS} and no word writes; string
     * literals, quoted identifiers and comments are skipped, and a quoted name called as a function fails.
     */
    static boolean callsOnlyPureFunctions(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = skipQuoted(sql, i, '\'');
            } else if (c == '"') {
                i = skipQuoted(sql, i, '"');
                if (nextIsParenthesis(sql, i)) {
                    return false;
                }
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '$' && i + 1 < n && !Character.isDigit(sql.charAt(i + 1))) {
                // A dollar-quoted string: $$...$$ or $tag$...$tag$.
                int close = sql.indexOf('$', i + 1);
                if (close < 0) {
                    return false;
                }
                String tag = sql.substring(i, close + 1);
                int end = sql.indexOf(tag, close + 1);
                i = end < 0 ? n : end + tag.length();
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n
                        && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                String word = sql.substring(start, i).toLowerCase(java.util.Locale.ROOT);
                if (WRITING_WORDS.contains(word) || nextIsParenthesis(sql, i) && !PURE_CALLS.contains(word)) {
                    return false;
                }
            } else {
                i++;
            }
        }
        return true;
    }

    /** The index after the quoted part starting at {@code start} (a doubled quote stays inside). */
    private static int skipQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static boolean nextIsParenthesis(String sql, int i) {
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return i < sql.length() && sql.charAt(i) == '(';
    }
}
