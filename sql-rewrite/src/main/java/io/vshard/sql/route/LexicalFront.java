package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.sql.parse.Scan;
import io.vshard.sql.parse.StatementKind;
import io.vshard.sql.parse.Token;
import java.io.StringReader;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;

/**
 * Analyzes the commonest OLTP read, a point select on one sharded table, from its tokens alone:
 *
 * <pre>
 * SELECT item [, item]* FROM table [[AS] alias] WHERE pred [AND pred]* [LIMIT slot] [tail]
 *   item = * | [q.]column [AS name] | q.*      pred = [q.]column = slot
 * </pre>
 *
 * <p>Every identifier must be a plain word that is no keyword of the Babel parser, so the statement means to
 * Calcite exactly what the pattern says; the result is the {@link Analysis} that {@link BabelFront} would
 * build for it ({@code LexicalFrontTest} checks this over the corpus and random statements). Calcite's parse
 * costs 50-100 µs; this costs about one. Anything else returns {@code null} and goes to {@link BabelFront}.
 */
final class LexicalFront {
    private static final SqlAbstractParserImpl.Metadata KEYWORDS =
            SqlBabelParserImpl.FACTORY.getParser(new StringReader("")).getMetadata();
    /** Calcite's default identifier length limit: longer names are Calcite's to refuse. */
    private static final int MAX_IDENTIFIER = 128;

    private final String sql;
    private final List<Token> tokens;
    private final int end;
    private int at;

    private LexicalFront(Scan scan) {
        this.sql = scan.sql();
        this.tokens = scan.tokens();
        this.end = scan.tailToken();
    }

    /** The analysis of a point select of the shape above, or {@code null} for any other statement. */
    static Analysis analyze(TableRules rules, Scan scan) {
        if (scan.kind() != StatementKind.QUERY || scan.explained()) {
            return null;
        }
        return new LexicalFront(scan).select(rules, scan);
    }

    private Analysis select(TableRules rules, Scan scan) {
        if (!word("select")) {
            return null;
        }
        int items = 0;
        boolean star = false;
        do {
            int kind = item();
            if (kind < 0) {
                return null;
            }
            star |= kind == 1;
            items++;
        } while (punct(","));
        int from = at;
        if (!word("from")) {
            return null;
        }
        String table = identifier();
        TableRule rule = table == null ? null : rules.find(table);
        if (rule == null || rule.kind() != TableRule.Kind.SHARDED) {
            return null;
        }
        String qualifier = table;
        int qualifierToken = at - 1;
        if (word("as") || at < end && identifierAt(at) != null) {
            qualifierToken = at;
            qualifier = identifier();
            if (qualifier == null) {
                return null;
            }
        }
        if (!word("where")) {
            return null;
        }
        Cond cond = Cond.UNKNOWN;
        int slot = 0;
        do {
            String q = null;
            String column = identifier();
            if (column != null && punct(".")) {
                q = column;
                column = identifier();
            }
            if (column == null || q != null && !q.equals(qualifier) || !punct("=")) {
                return null;
            }
            if (slot >= scan.slotCount() || scan.slotToken(slot) != at) {
                return null;
            }
            cond = cond.and(equality(rule, column, ValueRef.slot(slot, false)));
            slot++;
            at++;
        } while (word("and"));
        ValueRef fetch = null;
        int fetchToken = -1;
        int groupBefore = at;
        if (word("limit")) {
            if (slot >= scan.slotCount() || scan.slotToken(slot) != at) {
                return null;
            }
            fetch = ValueRef.slot(slot, false);
            fetchToken = at++;
        }
        if (at != end) {
            return null;
        }
        SelectShape shape = new SelectShape(
                null,
                star ? -1 : items,
                List.of(),
                List.of(),
                List.of(),
                false,
                fetch,
                null,
                fetchToken,
                -1,
                List.of(),
                List.of(),
                from,
                new KeyColumns(
                        null,
                        qualifierToken == from + 1
                                ? null
                                : tokens.get(qualifierToken).text(sql),
                        rule,
                        -1,
                        groupBefore));
        return new Analysis(List.of(rule), false, null, null, cond, true, List.of(), null, null, false, null, shape);
    }

    /** The key condition of {@code column = value}, as the Analyzer derives it. */
    private static Cond equality(TableRule rule, String column, ValueRef value) {
        if (column.equals(rule.creatorColumn())) {
            return Cond.of(new Alt(value, false, null, null));
        }
        if (column.equals(rule.regionColumn())) {
            return Cond.of(new Alt(null, false, value, null));
        }
        if (column.equals(rule.windowColumn())) {
            return Cond.of(new Alt(null, false, null, value));
        }
        return Cond.UNKNOWN;
    }

    /** One select item: 0 for a column, 1 for a star, -1 when it is anything else. */
    private int item() {
        if (punct("*")) {
            return 1;
        }
        if (identifier() == null) {
            return -1;
        }
        if (punct(".")) {
            if (punct("*")) {
                return 1;
            }
            if (identifier() == null) {
                return -1;
            }
        }
        if (word("as") && identifier() == null) {
            return -1;
        }
        return 0;
    }

    private boolean word(String w) {
        if (at < end && tokens.get(at).is(sql, w)) {
            at++;
            return true;
        }
        return false;
    }

    private boolean punct(String p) {
        if (at < end) {
            Token t = tokens.get(at);
            if ((t.kind() == Token.Kind.OP || t.kind() == Token.Kind.COMMA)
                    && t.end() - t.start() == p.length()
                    && sql.startsWith(p, t.start())) {
                at++;
                return true;
            }
        }
        return false;
    }

    /** The identifier at the cursor, lower-cased (as the Analyzer compares names), consumed; else null. */
    private String identifier() {
        String id = at < end ? identifierAt(at) : null;
        if (id != null) {
            at++;
        }
        return id;
    }

    private String identifierAt(int i) {
        Token t = tokens.get(i);
        int n = t.end() - t.start();
        if (t.kind() != Token.Kind.WORD || n > MAX_IDENTIFIER) {
            return null;
        }
        for (int k = t.start(); k < t.end(); k++) {
            char c = sql.charAt(k);
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
            if (!letter && (k == t.start() || c < '0' || c > '9')) {
                return null;
            }
        }
        String word = t.text(sql);
        return KEYWORDS.isKeyword(word.toUpperCase(Locale.ROOT)) ? null : word.toLowerCase(Locale.ROOT);
    }
}
