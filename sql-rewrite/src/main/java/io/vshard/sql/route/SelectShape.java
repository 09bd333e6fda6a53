package io.vshard.sql.route;

import io.vshard.sql.Merge;
import io.vshard.sql.parse.Scan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * The fan-out facts of a query: how its per-shard results merge and which text edits the per-shard
 * statement needs (AVG split into SUM and a hidden COUNT, hidden sort columns, LIMIT n+m). Positions are
 * token indexes, valid for every statement with the same cache key.
 *
 * @param refusal why a fan-out of this query cannot be merged correctly, or {@code null}
 * @param visible the number of select items, or -1 with {@code *}
 * @param orderBy the sort keys
 * @param groupBy the grouping columns
 * @param aggregates the aggregates (AVG entries point at their hidden COUNT)
 * @param distinct whether SELECT DISTINCT
 * @param fetch the LIMIT value, or {@code null}
 * @param offset the OFFSET value, or {@code null}
 * @param fetchToken the token of the LIMIT value, or -1
 * @param offsetToken the token of the OFFSET value, or -1
 * @param avgTokens the tokens of AVG function names, to become SUM
 * @param hidden the [first, last] token ranges of expressions appended as hidden columns
 * @param insertAt the token before which hidden columns go (the FROM keyword, or the token after the list)
 * @param keys how the per-shard statement returns each row's shard key during a migration, or {@code null}
 */
record SelectShape(
        String refusal,
        int visible,
        List<Merge.SortKey> orderBy,
        List<Integer> groupBy,
        List<Merge.Aggregate> aggregates,
        boolean distinct,
        ValueRef fetch,
        ValueRef offset,
        int fetchToken,
        int offsetToken,
        List<Integer> avgTokens,
        List<int[]> hidden,
        int insertAt,
        KeyColumns keys) {

    /** This shape with its key columns. */
    SelectShape withKeys(KeyColumns k) {
        return new SelectShape(
                refusal,
                visible,
                orderBy,
                groupBy,
                aggregates,
                distinct,
                fetch,
                offset,
                fetchToken,
                offsetToken,
                avgTokens,
                hidden,
                insertAt,
                k);
    }

    /** Whether the per-shard text differs from the original. */
    boolean needsRewrite() {
        return !avgTokens.isEmpty() || !hidden.isEmpty() || offset != null;
    }

    static SelectShape of(SqlNode node, Scan scan) {
        SqlNodeList orderList = null;
        SqlNode fetch = null;
        SqlNode offset = null;
        SqlNode body = node;
        if (node instanceof SqlOrderBy ob) {
            orderList = ob.orderList;
            fetch = ob.fetch;
            offset = ob.offset;
            body = ob.query;
        }
        if (body instanceof org.apache.calcite.sql.SqlWith w && orderList == null) {
            return of(w.body, scan);
        }
        if (body.getKind() == SqlKind.UNION && orderList == null && fetch == null && offset == null) {
            boolean all =
                    ((SqlCall) body).getOperator() instanceof org.apache.calcite.sql.SqlSetOperator op && op.isAll();
            return new SelectShape(
                    null, -1, List.of(), List.of(), List.of(), !all, null, null, -1, -1, List.of(), List.of(), -1,
                    null);
        }
        if (!(body instanceof SqlSelect s)) {
            return refuse(body.getKind().sql + (orderList != null || fetch != null ? " with ORDER BY or LIMIT" : ""));
        }
        if (orderList == null) {
            orderList = s.getOrderList();
            fetch = s.getFetch();
            offset = s.getOffset();
        }
        if (s.getHaving() != null) {
            return refuse("HAVING");
        }
        SqlNodeList items = s.getSelectList();
        boolean star = false;
        List<Merge.Aggregate> aggregates = new ArrayList<>();
        List<Integer> avgTokens = new ArrayList<>();
        List<int[]> hidden = new ArrayList<>();
        int visible = items.size();
        for (int i = 0; i < items.size(); i++) {
            SqlNode item = strip(items.get(i));
            if (item instanceof SqlIdentifier id && id.isStar()) {
                star = true;
            }
            Merge.Function f =
                    item instanceof SqlBasicCall c ? function(c.getOperator().getName()) : null;
            if (item instanceof SqlBasicCall call
                    && (f != null || call.getOperator().isAggregator())) {
                if (f == null || call.getFunctionQuantifier() != null) {
                    return refuse(call.getOperator().getName().toUpperCase(Locale.ROOT)
                            + (call.getFunctionQuantifier() != null ? " DISTINCT" : ""));
                }
                int count = -1;
                if (f == Merge.Function.AVG) {
                    avgTokens.add(token(scan, call.getParserPosition(), false));
                    count = visible + hidden.size();
                    hidden.add(range(scan, call.getParserPosition()));
                }
                aggregates.add(new Merge.Aggregate(i, f, count));
            }
        }
        List<Integer> groupBy = new ArrayList<>();
        if (s.getGroup() != null) {
            for (SqlNode g : s.getGroup()) {
                int at = find(items, g);
                if (at < 0) {
                    return refuse("GROUP BY on a column that is not selected");
                }
                groupBy.add(at);
            }
        }
        List<Merge.SortKey> sort = new ArrayList<>();
        List<int[]> sortHidden = new ArrayList<>();
        if (orderList != null) {
            for (SqlNode o : orderList) {
                boolean desc = false;
                Boolean nullsFirst = null;
                SqlNode e = o;
                while (e.getKind() == SqlKind.DESCENDING
                        || e.getKind() == SqlKind.NULLS_FIRST
                        || e.getKind() == SqlKind.NULLS_LAST) {
                    if (e.getKind() == SqlKind.DESCENDING) {
                        desc = true;
                    } else {
                        nullsFirst = e.getKind() == SqlKind.NULLS_FIRST;
                    }
                    e = ((SqlCall) e).operand(0);
                }
                int at = find(items, e);
                if (at < 0) {
                    // With *, the column count is unknown here: number hidden sort columns from the end.
                    at = star ? -1 - sortHidden.size() : visible + hidden.size() + sortHidden.size();
                    sortHidden.add(range(scan, e.getParserPosition()));
                }
                // PostgreSQL sorts NULLs as larger than any value; the merge follows the same default.
                sort.add(new Merge.SortKey(at, desc, nullsFirst != null ? nullsFirst : desc));
            }
        }
        if (star && !aggregates.isEmpty()) {
            return refuse("aggregates next to *");
        }
        if (star && !hidden.isEmpty()) {
            return refuse("AVG next to *");
        }
        if (star) {
            // hidden sort column i (0-based, held as -1 - i so far) of k sits at position i - k from the end
            int k = sortHidden.size();
            sort.replaceAll(key -> key.column() < 0
                    ? new Merge.SortKey(-key.column() - 1 - k, key.descending(), key.nullsFirst())
                    : key);
        }
        hidden.addAll(sortHidden);
        int insertAt = s.getFrom() != null
                ? fromKeyword(scan, token(scan, s.getFrom().getParserPosition(), false))
                : token(scan, items.getParserPosition(), true) + 1;
        return new SelectShape(
                null,
                star ? -1 - sortHidden.size() : visible,
                sort,
                groupBy,
                aggregates,
                s.isDistinct(),
                fetch == null ? null : Analyzer.value(fetch),
                offset == null ? null : Analyzer.value(offset),
                fetch == null ? -1 : token(scan, fetch.getParserPosition(), false),
                offset == null ? -1 : token(scan, offset.getParserPosition(), false),
                avgTokens,
                hidden,
                insertAt,
                null);
    }

    /**
     * The FROM keyword before token {@code at} at the same parenthesis depth. A join's position is not always
     * its first table's (it may start at the JOIN keyword), so the keyword is searched for, not assumed.
     */
    static int fromKeyword(Scan scan, int at) {
        int depth = 0;
        for (int i = at - 1; i >= 0; i--) {
            var t = scan.tokens().get(i);
            if (t.kind() == io.vshard.sql.parse.Token.Kind.RPAREN) {
                depth++;
            } else if (t.kind() == io.vshard.sql.parse.Token.Kind.LPAREN) {
                depth--;
            } else if (depth == 0 && t.is(scan.sql(), "from")) {
                return i;
            }
        }
        return at - 1;
    }

    private static SelectShape refuse(String construct) {
        return new SelectShape(
                construct, 0, List.of(), List.of(), List.of(), false, null, null, -1, -1, List.of(), List.of(), -1,
                null);
    }

    private static Merge.Function function(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "COUNT" -> Merge.Function.COUNT;
            case "SUM" -> Merge.Function.SUM;
            case "MIN" -> Merge.Function.MIN;
            case "MAX" -> Merge.Function.MAX;
            case "AVG" -> Merge.Function.AVG;
            default -> null;
        };
    }

    private static SqlNode strip(SqlNode item) {
        return item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
    }

    /** The select-list position of an ORDER BY / GROUP BY expression: ordinal, alias or same expression. */
    private static int find(SqlNodeList items, SqlNode e) {
        if (e instanceof SqlLiteral lit
                && lit.getTypeName().getFamily() == org.apache.calcite.sql.type.SqlTypeFamily.NUMERIC) {
            int ordinal = lit.intValue(true);
            return ordinal >= 1 && ordinal <= items.size() ? ordinal - 1 : -1;
        }
        for (int i = 0; i < items.size(); i++) {
            SqlNode item = items.get(i);
            if (item.getKind() == SqlKind.AS
                    && e instanceof SqlIdentifier id
                    && id.isSimple()
                    && ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple().equalsIgnoreCase(id.getSimple())) {
                return i;
            }
            if (strip(item).equalsDeep(e, org.apache.calcite.util.Litmus.IGNORE)) {
                return i;
            }
            if (strip(item) instanceof SqlIdentifier a
                    && e instanceof SqlIdentifier b
                    && Analyzer.last(a).equals(Analyzer.last(b))
                    && (a.isSimple() || b.isSimple())) {
                return i;
            }
        }
        return -1;
    }

    private static int token(Scan scan, SqlParserPos pos, boolean end) {
        int offset = end
                ? scan.offsetOf(pos.getEndLineNum(), pos.getEndColumnNum())
                : scan.offsetOf(pos.getLineNum(), pos.getColumnNum());
        return scan.tokenAt(offset);
    }

    private static int[] range(Scan scan, SqlParserPos pos) {
        return new int[] {token(scan, pos, false), token(scan, pos, true)};
    }
}
