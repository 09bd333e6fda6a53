package io.vshard.sql.parse;

import io.vshard.sql.RoutingException;
import io.vshard.sql.parse.Token.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The lexical view of one statement: its tokens, its kind, its <em>slots</em> (every parameter marker and
 * every literal that the cache key replaces by {@code ?}, in text order), the cache key, and the text handed
 * to Calcite. That text has the layout of the original (same lines and columns, so Calcite's positions map
 * back) with literals and {@code $n} turned into {@code ?}, {@code ::type} casts blanked and dialect tails
 * that Calcite cannot parse (locking clauses, ON CONFLICT, RETURNING, LIMIT on DML...) blanked; the
 * original text is what runs.
 */
public final class Scan {
    private static final Set<String> TYPED_LITERAL_PREFIX =
            Set.of("date", "time", "timestamp", "interval", "escape", "uescape");
    private static final Set<String> BY_LIST_END = Set.of(
            "limit", "offset", "having", "fetch", "for", "union", "window", "except", "intersect", "lock", "returning");

    private final String sql;
    private final List<Token> tokens;
    private final StatementKind kind;
    private final int[] slotTokens;
    private final int parameterCount;
    private final boolean hasLiterals;
    private final String cacheKey;
    private final int bodyStart;
    private final int tailToken;
    private final String tailConstruct;
    private String calciteText;

    private Scan(String sql, List<Token> tokens) {
        this.sql = sql;
        this.tokens = tokens;
        this.bodyStart = explainedStart(sql, tokens);
        this.kind = Classifier.classify(sql, tokens, bodyStart);
        boolean dml = kind == StatementKind.QUERY
                || kind == StatementKind.INSERT
                || kind == StatementKind.UPDATE
                || kind == StatementKind.DELETE;
        int tail = dml ? Tails.find(sql, tokens, kind, bodyStart) : tokens.size();
        this.tailToken = tail;
        this.tailConstruct = tail < tokens.size() ? Tails.describe(sql, tokens, tail) : null;
        List<Integer> slots = new ArrayList<>();
        int params = 0;
        boolean literals = false;
        StringBuilder key = new StringBuilder(sql.length());
        int byDepth = -1;
        int depth = 0;
        int castEnd = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            Kind k = t.kind();
            if (k == Kind.OP && t.text(sql).equals("::")) {
                castEnd = CalciteText.skipType(sql, tokens, i + 1, tokens.size());
            }
            if (k == Kind.LPAREN) {
                depth++;
            } else if (k == Kind.RPAREN) {
                depth--;
                if (depth < byDepth) {
                    byDepth = -1;
                }
            } else if (k == Kind.WORD && t.is(sql, "by")) {
                byDepth = depth;
            } else if (k == Kind.WORD && byDepth == depth && BY_LIST_END.contains(lower(t))) {
                byDepth = -1;
            }
            boolean slot = false;
            if (k == Kind.QMARK) {
                slot = true;
                params++;
            } else if (k == Kind.DOLLAR_PARAM) {
                slot = true;
                params = Math.max(params, Integer.parseInt(t.text(sql).substring(1)));
            } else if (dml && t.isLiteral() && i >= castEnd && i >= bodyStart && keepsLiteral(i, byDepth == depth)) {
                slot = true;
                literals = true;
            }
            if (i > 0) {
                key.append(' ');
            }
            if (slot) {
                slots.add(i);
                key.append('?');
            } else {
                key.append(sql, t.start(), t.end());
            }
        }
        this.slotTokens = slots.stream().mapToInt(Integer::intValue).toArray();
        this.parameterCount = params;
        this.hasLiterals = literals;
        this.cacheKey = key.toString();
    }

    /**
     * Scans one statement (a trailing {@code ;} is ignored).
     *
     * @throws RoutingException 42601 on an unterminated literal or comment
     */
    public static Scan of(String sql) {
        List<Token> tokens = Lexer.tokenize(sql);
        int n = tokens.size();
        while (n > 0 && tokens.get(n - 1).kind() == Kind.SEMICOLON) {
            n--;
        }
        for (int i = 0; i < n; i++) {
            if (tokens.get(i).kind() == Kind.SEMICOLON) {
                throw new RoutingException(
                        "42601",
                        "several statements in one; send them one at a time",
                        tokens.get(i).start() + 1);
            }
        }
        return new Scan(sql, n == tokens.size() ? tokens : List.copyOf(tokens.subList(0, n)));
    }

    private boolean keepsLiteral(int i, boolean inByList) {
        if (i == 0) {
            return true;
        }
        Token prev = tokens.get(i - 1);
        if (prev.kind() == Kind.WORD) {
            String p = lower(prev);
            if (TYPED_LITERAL_PREFIX.contains(p) || p.startsWith("_") || p.equals("collate")) {
                return false;
            }
            // ORDER BY 1 / GROUP BY 2: ordinals, not values.
            if (p.equals("by") && tokens.get(i).kind() == Kind.NUMBER) {
                return false;
            }
        }
        if (inByList && prev.kind() == Kind.COMMA && tokens.get(i).kind() == Kind.NUMBER) {
            return false;
        }
        if (prev.kind() == Kind.OP && prev.text(sql).equals("::")) {
            return false;
        }
        // MySQL "INTERVAL 1 DAY" and PostgreSQL "interval '1 day'" keep their text.
        return !(i > 1 && tokens.get(i - 2).is(sql, "interval"));
    }

    private static int explainedStart(String sql, List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).is(sql, "explain")) {
            return 0;
        }
        if (tokens.size() > 1 && tokens.get(1).is(sql, "route")) {
            return 0;
        }
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is(sql, "select")
                    || t.is(sql, "insert")
                    || t.is(sql, "update")
                    || t.is(sql, "delete")
                    || t.is(sql, "with")
                    || t.is(sql, "replace")
                    || t.is(sql, "values")) {
                return i;
            }
        }
        return 0;
    }

    private String lower(Token t) {
        return t.text(sql).toLowerCase(Locale.ROOT);
    }

    /** The statement text as given. */
    public String sql() {
        return sql;
    }

    /** The tokens, without a trailing {@code ;}. */
    public List<Token> tokens() {
        return tokens;
    }

    /** The statement kind (of the explained statement for {@code EXPLAIN ...}). */
    public StatementKind kind() {
        return kind;
    }

    /** Whether this is {@code EXPLAIN <statement>}: routed like the statement, never rewritten. */
    public boolean explained() {
        return bodyStart > 0;
    }

    /** Number of slots (parameters and normalized literals). */
    public int slotCount() {
        return slotTokens.length;
    }

    /** The token index of slot {@code s}. */
    public int slotToken(int s) {
        return slotTokens[s];
    }

    /** Whether slot {@code s} is a parameter marker (else a literal). */
    public boolean slotIsParameter(int s) {
        return tokens.get(slotTokens[s]).isParameter();
    }

    /**
     * The value of slot {@code s}: the bound parameter, or the literal's value (a {@code String} for string
     * literals, a {@code Long} or {@code BigDecimal} for numbers).
     */
    public Object slotValue(int s, List<Object> parameters) {
        Token t = tokens.get(slotTokens[s]);
        return switch (t.kind()) {
            case QMARK -> parameter(parameters, parameterIndexOf(s));
            case DOLLAR_PARAM ->
                parameter(parameters, Integer.parseInt(t.text(sql).substring(1)) - 1);
            case NUMBER -> numberValue(t.text(sql));
            default -> stringValue(t.text(sql));
        };
    }

    /** The 0-based parameter index that slot {@code s} reads, or -1 for a literal. */
    public int parameterIndexOf(int s) {
        Token t = tokens.get(slotTokens[s]);
        if (t.kind() == Kind.DOLLAR_PARAM) {
            return Integer.parseInt(t.text(sql).substring(1)) - 1;
        }
        if (t.kind() != Kind.QMARK) {
            return -1;
        }
        int q = 0;
        for (int i = 0; i < s; i++) {
            if (tokens.get(slotTokens[i]).kind() == Kind.QMARK) {
                q++;
            }
        }
        return q;
    }

    private Object parameter(List<Object> parameters, int index) {
        if (index < 0 || index >= parameters.size()) {
            throw new RoutingException(
                    "08P01",
                    "statement needs parameter " + (index + 1) + " but " + parameters.size() + " were bound",
                    tokens.get(0).start() + 1);
        }
        return parameters.get(index);
    }

    /** The number of parameters the statement uses (highest {@code $n}, or the count of {@code ?}). */
    public int parameterCount() {
        return parameterCount;
    }

    /** Whether any literal was normalized into a slot (then the exact text is not worth caching). */
    public boolean hasLiterals() {
        return hasLiterals;
    }

    /** The cache key: tokens joined by one space, with every slot written {@code ?}. */
    public String cacheKey() {
        return cacheKey;
    }

    /** The index of the first token of a dialect tail set aside for Calcite, or the token count. */
    public int tailToken() {
        return tailToken;
    }

    /** The construct that starts the tail (for example {@code ON CONFLICT}), or {@code null}. */
    public String tailConstruct() {
        return tailConstruct;
    }

    /** Whether an unquoted or quoted word of the statement (literals and comments ignored) equals {@code name}. */
    public boolean mentions(String name) {
        for (Token t : tokens) {
            if (t.kind() == Kind.WORD
                    && t.end() - t.start() == name.length()
                    && sql.regionMatches(true, t.start(), name, 0, name.length())) {
                return true;
            }
            if (t.kind() == Kind.QUOTED
                    && t.end() - t.start() == name.length() + 2
                    && sql.regionMatches(true, t.start() + 1, name, 0, name.length())) {
                return true;
            }
        }
        return false;
    }

    /** The text for Calcite; see the class comment. */
    public String calciteText() {
        if (calciteText == null) {
            calciteText = CalciteText.build(this);
        }
        return calciteText;
    }

    /** The 0-based offset of a 1-based (line, column) position of {@link #calciteText()}. */
    public int offsetOf(int line, int column) {
        int offset = 0;
        for (int l = 1; l < line; l++) {
            int nl = sql.indexOf('\n', offset);
            if (nl < 0) {
                break;
            }
            offset = nl + 1;
        }
        return Math.min(sql.length(), offset + Math.max(0, column - 1));
    }

    /** The index of the token containing or following character {@code offset}. */
    public int tokenAt(int offset) {
        int lo = 0;
        int hi = tokens.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Token t = tokens.get(mid);
            if (t.end() <= offset) {
                lo = mid + 1;
            } else if (t.start() > offset) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return lo;
    }

    /** The transaction-control kind of a {@link StatementKind#TRANSACTION} statement. */
    public io.vshard.sql.RoutePlan.TransactionKind transactionKind() {
        return Classifier.transactionKind(sql, tokens);
    }

    /** Whether a {@link StatementKind#SESSION} statement changes session state (SHOW does not). */
    public boolean changesSession() {
        return !Classifier.word(sql, tokens, 0).equals("show");
    }

    /** The first word, upper case, for messages. */
    public String leadingWord() {
        return Classifier.word(sql, tokens, bodyStart).toUpperCase(Locale.ROOT);
    }

    /**
     * The token ranges {@code [open, close]} of the rows of an INSERT's {@code VALUES} list, or an empty
     * list when the statement has none at the top level.
     */
    public List<int[]> valuesRows() {
        List<int[]> rows = new ArrayList<>();
        int depth = 0;
        int i = bodyStart;
        for (; i < tailToken; i++) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.LPAREN) {
                depth++;
            } else if (t.kind() == Kind.RPAREN) {
                depth--;
            } else if (depth == 0 && (t.is(sql, "values") || t.is(sql, "value"))) {
                break;
            }
        }
        for (i++; i < tailToken && tokens.get(i).kind() == Kind.LPAREN; ) {
            int open = i;
            depth = 0;
            for (; i < tailToken; i++) {
                Kind k = tokens.get(i).kind();
                depth += k == Kind.LPAREN ? 1 : k == Kind.RPAREN ? -1 : 0;
                if (depth == 0) {
                    break;
                }
            }
            rows.add(new int[] {open, i});
            i++;
            if (i < tailToken && tokens.get(i).kind() == Kind.COMMA) {
                i++;
            } else {
                break;
            }
        }
        return rows;
    }

    /** The index of the top-level WHERE keyword at or after token {@code from}, or -1. */
    public int topLevelWhere() {
        int depth = 0;
        for (int i = bodyStart; i < tailToken; i++) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.LPAREN) {
                depth++;
            } else if (t.kind() == Kind.RPAREN) {
                depth--;
            } else if (depth == 0 && t.is(sql, "where")) {
                return i;
            }
        }
        return -1;
    }

    int bodyStart() {
        return bodyStart;
    }

    static Object numberValue(String text) {
        if (text.startsWith("0x") || text.startsWith("0X")) {
            return Long.parseUnsignedLong(text.substring(2), 16);
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return new BigDecimal(text);
        }
    }

    static String stringValue(String text) {
        if (text.startsWith("$")) {
            int open = text.indexOf('$', 1) + 1;
            return text.substring(open, text.length() - open);
        }
        boolean backslash = text.charAt(0) == 'e' || text.charAt(0) == 'E';
        int q = text.indexOf('\'');
        String body = text.substring(q + 1, text.length() - 1).replace("''", "'");
        if (!backslash) {
            return body;
        }
        StringBuilder b = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char e = body.charAt(++i);
                b.append(
                        switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
