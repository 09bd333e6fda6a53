package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.sql.parse.Scan;
import io.vshard.sql.parse.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;

/**
 * How a query's per-shard statement returns each row's shard key during a migration, so the merge can drop
 * the copies reads must not see ({@link io.vshard.sql.PlacementFilter}): which table's key, how to qualify
 * its columns, and where a GROUP BY gets the key added (aggregates become per-key partials). Only used while
 * a migration runs; token positions hold for every statement with the same cache key.
 *
 * @param refusal why rows of this query cannot be checked per key (the fan-out is then refused during a
 *     migration), or {@code null}
 * @param qualifier the table's alias or name as written, to qualify the key columns, or {@code null} for
 *     bare column names (one table, no alias)
 * @param rule the sharded table whose key is returned
 * @param groupAfter the last token of the query's GROUP BY list, or -1 without GROUP BY
 * @param groupBefore the token before which a {@code GROUP BY} clause goes when the query has none
 */
record KeyColumns(String refusal, String qualifier, TableRule rule, int groupAfter, int groupBefore) {
    private static final Set<String> CLAUSE_AFTER_GROUP = Set.of(
            "having", "order", "limit", "offset", "fetch", "for", "window", "union", "intersect", "except", "lock");

    static KeyColumns refuse(String why) {
        return new KeyColumns(why, null, null, -1, -1);
    }

    /** The key columns of a query with one sharded table, or of a join of sharded tables on their creator. */
    static KeyColumns of(SqlNode node, Scan scan, TableRules rules) {
        SqlNode body = node instanceof SqlOrderBy ob ? ob.query : node;
        if (!(body instanceof SqlSelect s)) {
            return refuse(body.getKind() == SqlKind.WITH ? "a WITH query" : body.getKind().sql);
        }
        List<SqlNode[]> tables = new ArrayList<>();
        if (!tables(s.getFrom(), tables)) {
            return refuse("a subquery in FROM");
        }
        SqlNode[] first = null;
        TableRule rule = null;
        boolean windowed = false;
        int sharded = 0;
        for (SqlNode[] t : tables) {
            TableRule r = rules.find(Analyzer.last((SqlIdentifier) t[0]));
            if (r != null && r.kind() == TableRule.Kind.SHARDED) {
                sharded++;
                windowed |= r.windowed();
                if (first == null) {
                    first = t;
                    rule = r;
                }
            }
        }
        if (first == null) {
            return refuse("a sharded table read only in a subquery");
        }
        if (sharded > 1 && windowed) {
            return refuse("a join with a ledger table");
        }
        // Bare names when one table is read without an alias: a table name left in the text would stop the
        // engine's schema qualification (it refuses texts naming a table outside FROM).
        SqlNode name = first[1] != null ? first[1] : tables.size() > 1 ? first[0] : null;
        String qualifier = name == null ? null : text(scan, scan.tokenAt(endOffset(scan, name)));
        int from = SelectShape.fromKeyword(
                scan,
                scan.tokenAt(scan.offsetOf(
                        s.getFrom().getParserPosition().getLineNum(),
                        s.getFrom().getParserPosition().getColumnNum())));
        return groups(scan, from, qualifier, rule);
    }

    private static KeyColumns groups(Scan scan, int from, String qualifier, TableRule rule) {
        String sql = scan.sql();
        List<Token> tokens = scan.tokens();
        int depth = 0;
        int groupAt = -1;
        for (int i = Math.max(from, 0); i < scan.tailToken(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Token.Kind.LPAREN) {
                depth++;
            } else if (t.kind() == Token.Kind.RPAREN) {
                depth--;
            } else if (depth == 0 && t.kind() == Token.Kind.WORD) {
                String w = t.text(sql).toLowerCase(java.util.Locale.ROOT);
                if (w.equals("group") && groupAt < 0) {
                    groupAt = i;
                } else if (CLAUSE_AFTER_GROUP.contains(w)) {
                    return at(groupAt, i, tokens, sql, qualifier, rule);
                }
            }
        }
        return at(groupAt, scan.tailToken(), tokens, sql, qualifier, rule);
    }

    private static KeyColumns at(
            int groupAt, int end, List<Token> tokens, String sql, String qualifier, TableRule rule) {
        if (groupAt < 0) {
            return new KeyColumns(null, qualifier, rule, -1, end);
        }
        for (int i = groupAt; i < end; i++) {
            Token t = tokens.get(i);
            if (t.is(sql, "rollup") || t.is(sql, "cube") || t.is(sql, "grouping") || t.is(sql, "with")) {
                return refuse("GROUP BY " + t.text(sql).toUpperCase(java.util.Locale.ROOT));
            }
        }
        return new KeyColumns(null, qualifier, rule, end - 1, -1);
    }

    /** Collects [table, alias] of each FROM item; false when an item is not a plain table. */
    private static boolean tables(SqlNode from, List<SqlNode[]> out) {
        if (from == null) {
            return true;
        }
        if (from instanceof SqlJoin j) {
            return tables(j.getLeft(), out) && tables(j.getRight(), out);
        }
        if (from instanceof SqlIdentifier id) {
            out.add(new SqlNode[] {id, null});
            return true;
        }
        if (from.getKind() == SqlKind.AS && ((SqlCall) from).operand(0) instanceof SqlIdentifier id) {
            out.add(new SqlNode[] {id, ((SqlCall) from).operand(1)});
            return true;
        }
        return false;
    }

    private static int endOffset(Scan scan, SqlNode node) {
        return scan.offsetOf(
                node.getParserPosition().getEndLineNum(),
                node.getParserPosition().getEndColumnNum());
    }

    private static String text(Scan scan, int token) {
        return scan.tokens().get(token).text(scan.sql());
    }

    /** The key column names of the rule, qualified: creator, then region and window when the table has them. */
    List<String> columns() {
        String q = qualifier == null ? "" : qualifier + ".";
        List<String> out = new ArrayList<>(3);
        out.add(q + rule.creatorColumn());
        if (rule.regionColumn() != null) {
            out.add(q + rule.regionColumn());
        }
        if (rule.windowColumn() != null) {
            out.add(q + rule.windowColumn());
        }
        return out;
    }
}
