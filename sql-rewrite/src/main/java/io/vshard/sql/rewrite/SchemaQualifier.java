package io.vshard.sql.rewrite;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.sql.parse.Lexer;
import io.vshard.sql.parse.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prefixes every reference to a sharded or broadcast table in a shard statement with the logical shard's
 * schema ({@code FROM payments} → {@code FROM shard_047.payments}), so the engine need not point a pooled
 * connection at the schema first: with many logical shards per pool that costs a round trip on almost every
 * statement.
 *
 * <p>Conservative by construction: a table name is qualified only right after {@code FROM}, {@code JOIN},
 * {@code INTO}, {@code UPDATE} or a comma inside a {@code FROM} list. If any other unqualified occurrence of
 * a configured table name remains (a column of that name, a construct this scanner does not know), the
 * statement is left as it was and the engine sets the schema instead, so a missed reference can never read
 * another shard's table. Results are cached per (statement, schema). Thread safe.
 */
public final class SchemaQualifier {
    private static final String UNQUALIFIABLE = new String("-");

    private final TableRules rules;
    // Per statement text, its qualified text per schema: no lookup key is built per statement, and the text's
    // hash is the one String caches. Weighed by the schemas held, so the bound counts (statement, schema) pairs.
    private final Cache<String, PerSchema> cache;

    /** One statement's qualified texts, by schema; grows as the statement reaches more shards. */
    private static final class PerSchema {
        private final java.util.concurrent.ConcurrentHashMap<String, String> texts =
                new java.util.concurrent.ConcurrentHashMap<>();
    }

    /**
     * Creates a qualifier.
     *
     * @param rules the table rules (sharded and broadcast tables are qualified)
     * @param cacheEntries the cache size
     */
    public SchemaQualifier(TableRules rules, long cacheEntries) {
        this.rules = rules;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(cacheEntries)
                .<String, PerSchema>weigher((sql, q) -> 1 + q.texts.size())
                // maintenance (eviction) on the calling thread: no hand-off to the common pool
                .executor(Runnable::run)
                .build();
    }

    /**
     * The statement with its table references qualified by {@code schema}, or {@code null} when it cannot be
     * qualified safely (the caller must then point the connection at the schema).
     *
     * @param sql the shard statement
     * @param schema the schema exactly as it must appear in SQL, quoted for the backend's dialect
     */
    public String qualify(String sql, String schema) {
        PerSchema p = cache.getIfPresent(sql);
        String q = p == null ? null : p.texts.get(schema);
        if (q == null) {
            String r = rewrite(sql, schema);
            q = r == null ? UNQUALIFIABLE : r;
            if (p == null) {
                p = new PerSchema();
            }
            p.texts.put(schema, q);
            // (re)inserting re-weighs the entry with its new schema
            cache.put(sql, p);
        }
        return q == UNQUALIFIABLE ? null : q;
    }

    private String rewrite(String sql, String schema) {
        if (schema.isEmpty()) {
            return null;
        }
        List<Token> tokens;
        try {
            tokens = Lexer.tokenize(sql);
        } catch (RuntimeException e) {
            return null;
        }
        List<Integer> inserts = new ArrayList<>();
        // depth -> whether a FROM list is open at that parenthesis depth
        boolean[] fromList = new boolean[64];
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            switch (t.kind()) {
                case LPAREN -> {
                    if (++depth >= fromList.length) {
                        return null;
                    }
                    fromList[depth] = false;
                    continue;
                }
                case RPAREN -> {
                    depth = Math.max(0, depth - 1);
                    continue;
                }
                default -> {}
            }
            if (t.kind() == Token.Kind.WORD) {
                String w = t.text(sql).toUpperCase(Locale.ROOT);
                switch (w) {
                    case "FROM" -> fromList[depth] = true;
                    case "WHERE",
                            "GROUP",
                            "ORDER",
                            "HAVING",
                            "LIMIT",
                            "UNION",
                            "EXCEPT",
                            "INTERSECT",
                            "SET",
                            "VALUES",
                            "RETURNING",
                            "WINDOW",
                            "FOR",
                            "ON",
                            "USING",
                            "SELECT" -> fromList[depth] = false;
                    default -> {}
                }
            }
            if (!isTableName(sql, t) || dotted(sql, tokens, i)) {
                continue;
            }
            Token prev = i > 0 ? tokens.get(i - 1) : null;
            boolean follows = prev != null
                    && (prev.is(sql, "FROM")
                            || prev.is(sql, "JOIN")
                            || prev.is(sql, "INTO")
                            || prev.is(sql, "UPDATE")
                            || (prev.kind() == Token.Kind.COMMA && fromList[depth]));
            boolean call = i + 1 < tokens.size()
                    && tokens.get(i + 1).kind() == Token.Kind.LPAREN
                    && !(prev != null && prev.is(sql, "INTO"));
            if (!follows || call) {
                return null;
            }
            inserts.add(t.start());
        }
        if (inserts.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder(sql.length() + inserts.size() * (schema.length() + 1));
        int at = 0;
        for (int pos : inserts) {
            b.append(sql, at, pos).append(schema).append('.');
            at = pos;
        }
        return b.append(sql, at, sql.length()).toString();
    }

    private boolean isTableName(String sql, Token t) {
        if (t.kind() != Token.Kind.WORD && t.kind() != Token.Kind.QUOTED) {
            return false;
        }
        TableRule r = rules.find(t.text(sql));
        return r != null && r.kind() != TableRule.Kind.UNSHARDED;
    }

    /** Whether the token is part of a dotted name ({@code schema.table} or {@code table.column}). */
    private static boolean dotted(String sql, List<Token> tokens, int i) {
        return (i > 0 && isDot(sql, tokens.get(i - 1))) || (i + 1 < tokens.size() && isDot(sql, tokens.get(i + 1)));
    }

    private static boolean isDot(String sql, Token t) {
        return t.kind() == Token.Kind.OP && t.end() - t.start() == 1 && sql.charAt(t.start()) == '.';
    }
}
