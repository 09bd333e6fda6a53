package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.sql.RoutingException;
import io.vshard.sql.parse.Scan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;

/**
 * Extracts the routing facts of one parsed statement: the tables, the key condition as slots, INSERT rows,
 * the ORM update shape. One instance per statement; not thread safe.
 */
final class Analyzer {
    private enum Role {
        CREATOR,
        REGION,
        WINDOW,
        KEY
    }

    private record Column(TableRule rule, Role role) {}

    private final TableRules rules;
    private final Scan scan;
    private final Set<TableRule> sharded = new LinkedHashSet<>();
    private boolean broadcast;

    Analyzer(TableRules rules, Scan scan) {
        this.rules = rules;
        this.scan = scan;
    }

    Analysis analyze(SqlNode node) {
        if (node instanceof SqlInsert ins) {
            return insert(ins);
        }
        if (node instanceof SqlUpdate up) {
            return update(up);
        }
        if (node instanceof SqlDelete del) {
            Map<String, TableRule> scope = new HashMap<>();
            TableRule target = table(del.getTargetTable(), del.getAlias(), scope);
            Cond where = cond(del.getCondition(), scope);
            subqueries(del.getCondition());
            return new Analysis(
                    List.copyOf(sharded),
                    broadcast,
                    target,
                    name(del.getTargetTable()),
                    where,
                    !scope.isEmpty(),
                    List.of(),
                    null,
                    null,
                    false,
                    null,
                    null);
        }
        if (node.getKind() == SqlKind.MERGE) {
            throw new RoutingException("0A000", "MERGE is not supported on sharded tables", 1);
        }
        Query q = query(node);
        SelectShape shape = q.touches ? SelectShape.of(node, scan).withKeys(keyColumns(node)) : null;
        return new Analysis(
                List.copyOf(sharded),
                broadcast,
                null,
                null,
                q.cond,
                q.touches,
                List.of(),
                null,
                null,
                false,
                null,
                shape);
    }

    /**
     * The key columns for a read during a migration. They are worked out with the analysis (cached) but used
     * only while a migration runs, so a shape they do not foresee must not stop routing today: it is refused
     * only when a migration needs it.
     */
    private KeyColumns keyColumns(SqlNode node) {
        try {
            return KeyColumns.of(node, scan, rules);
        } catch (RuntimeException e) {
            return KeyColumns.refuse("this query shape");
        }
    }

    private record Query(boolean touches, Cond cond) {
        static final Query NONE = new Query(false, Cond.UNKNOWN);

        Query or(Query o) {
            if (!touches) {
                return o;
            }
            if (!o.touches) {
                return this;
            }
            return new Query(true, cond.or(o.cond));
        }

        Query and(Query o) {
            return new Query(touches || o.touches, cond.and(o.cond));
        }
    }

    private Query query(SqlNode node) {
        if (node == null) {
            return Query.NONE;
        }
        if (node instanceof SqlOrderBy ob) {
            return query(ob.query);
        }
        if (node instanceof SqlWith w) {
            Query q = query(w.body);
            for (SqlNode item : w.withList) {
                q = q.or(query(((SqlWithItem) item).query));
            }
            return q;
        }
        if (node instanceof SqlSelect s) {
            Map<String, TableRule> scope = new HashMap<>();
            Query from = from(s.getFrom(), scope);
            requireColocated(s, scope);
            boolean touches = from.touches || !scope.isEmpty();
            Cond c = from.cond.and(cond(s.getWhere(), scope));
            Query sub = subqueries(s.getSelectList()).or(subqueries(s.getWhere()));
            if (!touches) {
                return sub;
            }
            return new Query(true, c);
        }
        if (node.getKind() == SqlKind.UNION
                || node.getKind() == SqlKind.INTERSECT
                || node.getKind() == SqlKind.EXCEPT) {
            Query q = Query.NONE;
            for (SqlNode op : ((SqlCall) node).getOperandList()) {
                q = q.or(query(op));
            }
            return q;
        }
        return subqueries(node);
    }

    /** Queries nested in an expression: they only add the tables they touch (and scatter if they do). */
    private Query subqueries(SqlNode node) {
        if (node == null) {
            return Query.NONE;
        }
        if (node instanceof SqlSelect || node instanceof SqlOrderBy || node instanceof SqlWith) {
            Query q = query(node);
            return q.touches ? new Query(true, q.cond) : q;
        }
        Query q = Query.NONE;
        if (node instanceof SqlNodeList list) {
            for (SqlNode n : list) {
                q = q.or(subqueries(n));
            }
        } else if (node instanceof SqlCall call) {
            for (SqlNode n : call.getOperandList()) {
                q = q.or(subqueries(n));
            }
        }
        return q;
    }

    private Query from(SqlNode node, Map<String, TableRule> scope) {
        if (node == null) {
            return Query.NONE;
        }
        if (node instanceof SqlIdentifier id) {
            table(id, null, scope);
            return Query.NONE;
        }
        if (node instanceof SqlJoin j) {
            Query left = from(j.getLeft(), scope);
            Query right = from(j.getRight(), scope);
            Query q = left.and(right);
            if (j.getJoinType() == JoinType.INNER || j.getJoinType() == JoinType.COMMA) {
                q = q.and(new Query(false, cond(j.getCondition(), scope)));
            }
            return q;
        }
        if (node.getKind() == SqlKind.AS) {
            SqlCall as = (SqlCall) node;
            SqlNode inner = as.operand(0);
            if (inner instanceof SqlIdentifier id) {
                table(id, (SqlIdentifier) as.operand(1), scope);
                return Query.NONE;
            }
            return from(inner, scope);
        }
        return query(node);
    }

    /**
     * Refuses a join of sharded tables unless their creator columns are equated (in ON or WHERE): each shard
     * answers only for its own rows, so a join on anything else would silently miss pairs across shards.
     */
    private static void requireColocated(SqlSelect s, Map<String, TableRule> scope) {
        if (scope.size() < 2) {
            return;
        }
        Map<String, String> parent = new HashMap<>();
        scope.keySet().forEach(a -> parent.put(a, a));
        List<SqlNode> conditions = new ArrayList<>();
        joinConditions(s.getFrom(), conditions);
        conditions.add(s.getWhere());
        for (SqlNode c : conditions) {
            equateCreators(c, scope, parent);
        }
        String root = null;
        for (String alias : scope.keySet()) {
            String r = find(parent, alias);
            if (root != null && !root.equals(r)) {
                throw new RoutingException(
                        "0A000",
                        "a join of sharded tables must match their creator columns (for"
                                + " example " + root + "." + scope.get(root).creatorColumn() + " = " + alias + "."
                                + scope.get(alias).creatorColumn() + "); vshard cannot join rows that live on different"
                                + " shards",
                        1);
            }
            root = r;
        }
    }

    private static void joinConditions(SqlNode from, List<SqlNode> out) {
        if (from instanceof SqlJoin j) {
            joinConditions(j.getLeft(), out);
            joinConditions(j.getRight(), out);
            out.add(j.getCondition());
        }
    }

    private static void equateCreators(SqlNode node, Map<String, TableRule> scope, Map<String, String> parent) {
        if (node == null) {
            return;
        }
        if (node.getKind() == SqlKind.AND) {
            for (SqlNode op : ((SqlCall) node).getOperandList()) {
                equateCreators(op, scope, parent);
            }
        } else if (node.getKind() == SqlKind.EQUALS) {
            String a = creatorAlias(((SqlCall) node).operand(0), scope);
            String b = creatorAlias(((SqlCall) node).operand(1), scope);
            if (a != null && b != null) {
                parent.put(find(parent, a), find(parent, b));
            }
        }
    }

    private static String creatorAlias(SqlNode node, Map<String, TableRule> scope) {
        if (node instanceof SqlIdentifier id && id.names.size() >= 2) {
            String alias = id.names.get(id.names.size() - 2).toLowerCase(Locale.ROOT);
            TableRule rule = scope.get(alias);
            String column = id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT);
            return rule != null && column.equals(rule.creatorColumn()) ? alias : null;
        }
        return null;
    }

    private static String find(Map<String, String> parent, String a) {
        String p = parent.get(a);
        return p.equals(a) ? a : find(parent, p);
    }

    /** Registers a table under its alias; returns its rule (sharded or broadcast) or null. */
    private TableRule table(SqlNode node, SqlIdentifier alias, Map<String, TableRule> scope) {
        if (!(node instanceof SqlIdentifier id)) {
            return null;
        }
        TableRule rule = rules.find(last(id));
        if (rule == null) {
            return null;
        }
        if (rule.kind() == TableRule.Kind.BROADCAST) {
            broadcast = true;
        } else if (rule.kind() == TableRule.Kind.SHARDED) {
            sharded.add(rule);
            scope.put(alias != null ? last(alias) : rule.name(), rule);
        }
        return rule;
    }

    private Cond cond(SqlNode node, Map<String, TableRule> scope) {
        if (node == null || scope.isEmpty()) {
            return Cond.UNKNOWN;
        }
        SqlKind kind = node.getKind();
        if (kind == SqlKind.AND) {
            Cond c = Cond.UNKNOWN;
            for (SqlNode op : ((SqlCall) node).getOperandList()) {
                c = c.and(cond(op, scope));
            }
            return c;
        }
        if (kind == SqlKind.OR) {
            List<SqlNode> ops = ((SqlCall) node).getOperandList();
            Cond c = cond(ops.get(0), scope);
            for (int i = 1; i < ops.size(); i++) {
                c = c.or(cond(ops.get(i), scope));
            }
            return c;
        }
        if (kind == SqlKind.EQUALS || kind == SqlKind.IS_NOT_DISTINCT_FROM) {
            SqlCall call = (SqlCall) node;
            Cond c = equality(call.operand(0), call.operand(1), scope);
            return c.known() ? c : equality(call.operand(1), call.operand(0), scope);
        }
        if (kind == SqlKind.IN) {
            return in((SqlCall) node, scope);
        }
        if (kind == SqlKind.SOME
                && node instanceof SqlBasicCall call
                && call.getOperator() instanceof org.apache.calcite.sql.fun.SqlQuantifyOperator q
                && q.comparisonKind == SqlKind.EQUALS) {
            Column col = column(call.operand(0), scope);
            SqlNode arg = call.operand(1);
            if (arg instanceof SqlNodeList list && list.size() == 1) {
                arg = list.get(0);
            }
            ValueRef v = arg instanceof SqlNodeList ? null : value(arg);
            if (col != null && col.role == Role.CREATOR && v != null) {
                return Cond.of(new Alt(v, true, null, null));
            }
        }
        return Cond.UNKNOWN;
    }

    private Cond equality(SqlNode left, SqlNode right, Map<String, TableRule> scope) {
        Column col = column(left, scope);
        ValueRef v = col == null ? null : value(right);
        if (v == null) {
            return Cond.UNKNOWN;
        }
        return switch (col.role) {
            case CREATOR -> Cond.of(new Alt(v, false, null, null));
            case REGION -> Cond.of(new Alt(null, false, v, null));
            case WINDOW -> Cond.of(new Alt(null, false, null, v));
            case KEY -> Cond.UNKNOWN;
        };
    }

    private Cond in(SqlCall call, Map<String, TableRule> scope) {
        Column col = column(call.operand(0), scope);
        if (col == null || col.role == Role.KEY || !(call.operand(1) instanceof SqlNodeList list)) {
            return Cond.UNKNOWN;
        }
        List<Alt> alts = new ArrayList<>();
        int[] slots = new int[list.size()];
        boolean bare = col.role == Role.CREATOR;
        for (int i = 0; i < list.size(); i++) {
            ValueRef v = value(list.get(i));
            if (v == null) {
                return Cond.UNKNOWN;
            }
            bare &= v.slot() >= 0;
            slots[i] = v.slot();
            alts.add(
                    switch (col.role) {
                        case CREATOR -> new Alt(v, false, null, null);
                        case REGION -> new Alt(null, false, v, null);
                        default -> new Alt(null, false, null, v);
                    });
        }
        return new Cond(alts, bare ? slots : null);
    }

    private Column column(SqlNode node, Map<String, TableRule> scope) {
        SqlNode n = unwrapCast(node);
        if (!(n instanceof SqlIdentifier id)) {
            return null;
        }
        String col = last(id);
        if (id.names.size() >= 2) {
            TableRule rule = scope.get(id.names.get(id.names.size() - 2).toLowerCase(Locale.ROOT));
            return rule == null ? null : role(rule, col);
        }
        for (TableRule rule : scope.values()) {
            Column c = role(rule, col);
            if (c != null && c.role != Role.KEY) {
                return c;
            }
        }
        for (TableRule rule : scope.values()) {
            Column c = role(rule, col);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private static Column role(TableRule rule, String col) {
        if (col.equals(rule.creatorColumn())) {
            return new Column(rule, Role.CREATOR);
        }
        if (col.equals(rule.regionColumn())) {
            return new Column(rule, Role.REGION);
        }
        if (col.equals(rule.windowColumn())) {
            return new Column(rule, Role.WINDOW);
        }
        if (col.equals(rule.primaryKey())) {
            return new Column(rule, Role.KEY);
        }
        return null;
    }

    /** The value of a slot, a negated slot or a literal Calcite kept, through casts; else null. */
    static ValueRef value(SqlNode node) {
        SqlNode n = unwrapCast(node);
        boolean negate = false;
        if (n.getKind() == SqlKind.MINUS_PREFIX) {
            negate = true;
            n = unwrapCast(((SqlCall) n).operand(0));
        } else if (n.getKind() == SqlKind.PLUS_PREFIX) {
            n = unwrapCast(((SqlCall) n).operand(0));
        }
        if (n instanceof SqlDynamicParam p) {
            return ValueRef.slot(p.getIndex(), negate);
        }
        if (n instanceof SqlLiteral lit
                && !negate
                && lit.getTypeName() != org.apache.calcite.sql.type.SqlTypeName.NULL) {
            return ValueRef.constant(lit.toValue());
        }
        return null;
    }

    private static SqlNode unwrapCast(SqlNode node) {
        SqlNode n = node;
        while (n != null && n.getKind() == SqlKind.CAST) {
            n = ((SqlCall) n).operand(0);
        }
        return n;
    }

    private Analysis insert(SqlInsert ins) {
        Map<String, TableRule> scope = new HashMap<>();
        SqlNode targetNode = ins.getTargetTable();
        if (targetNode.getKind() == SqlKind.AS) {
            targetNode = ((SqlCall) targetNode).operand(0);
        }
        TableRule target = table(targetNode, null, scope);
        String name = name(targetNode);
        SqlNode source = ins.getSource();
        if (target == null || target.kind() != TableRule.Kind.SHARDED) {
            Query q = query(source);
            return new Analysis(
                    List.copyOf(sharded),
                    broadcast,
                    target,
                    name,
                    q.cond,
                    q.touches,
                    List.of(),
                    null,
                    null,
                    false,
                    null,
                    null);
        }
        SqlNodeList columns = ins.getTargetColumnList();
        if (columns == null) {
            throw new RoutingException(
                    "0A000",
                    "INSERT into sharded table " + target.name() + " must list its columns (vshard reads "
                            + target.creatorColumn() + " from the VALUES)",
                    1);
        }
        int creatorAt = indexOf(columns, target.creatorColumn());
        int regionAt = indexOf(columns, target.regionColumn());
        int windowAt = indexOf(columns, target.windowColumn());
        if (creatorAt < 0) {
            throw new RoutingException(
                    "0A000",
                    "INSERT into sharded table " + target.name() + " must set its shard key column "
                            + target.creatorColumn(),
                    1);
        }
        List<Analysis.InsertRow> rows = new ArrayList<>();
        Cond inner = null;
        if (source.getKind() == SqlKind.VALUES) {
            for (SqlNode row : ((SqlCall) source).getOperandList()) {
                List<SqlNode> values = row.getKind() == SqlKind.ROW ? ((SqlCall) row).getOperandList() : List.of(row);
                rows.add(row(values, creatorAt, regionAt, windowAt));
            }
        } else {
            SqlNode body = source instanceof SqlOrderBy ob ? ob.query : source;
            Query q = query(source);
            inner = q.touches ? q.cond : Cond.of(Alt.EMPTY);
            if (body instanceof SqlSelect s && s.getSelectList().size() == columns.size()) {
                Analysis.InsertRow r = row(s.getSelectList().getList(), creatorAt, regionAt, windowAt);
                SqlNode item = s.getSelectList().get(creatorAt);
                boolean copied = r.creator() == null
                        && unwrapCast(item) instanceof SqlIdentifier id
                        && sharded.stream().anyMatch(t -> last(id).equals(t.creatorColumn()));
                rows.add(new Analysis.InsertRow(r.creator(), r.region(), r.window(), copied));
            } else {
                rows.add(new Analysis.InsertRow(null, null, null, false));
            }
        }
        return new Analysis(
                List.copyOf(sharded),
                broadcast,
                target,
                name,
                Cond.UNKNOWN,
                true,
                rows,
                inner,
                null,
                false,
                null,
                null);
    }

    private static Analysis.InsertRow row(List<SqlNode> values, int creatorAt, int regionAt, int windowAt) {
        return new Analysis.InsertRow(at(values, creatorAt), at(values, regionAt), at(values, windowAt), false);
    }

    private static ValueRef at(List<SqlNode> values, int i) {
        if (i < 0 || i >= values.size()) {
            return null;
        }
        SqlNode v = values.get(i);
        if (v.getKind() == SqlKind.AS) {
            v = ((SqlCall) v).operand(0);
        }
        return value(v);
    }

    private Analysis update(SqlUpdate up) {
        Map<String, TableRule> scope = new HashMap<>();
        TableRule target = table(up.getTargetTable(), up.getAlias(), scope);
        String name = name(up.getTargetTable());
        Cond where = cond(up.getCondition(), scope);
        subqueries(up.getCondition());
        subqueries(up.getSourceExpressionList());
        ValueRef setCreator = null;
        boolean computed = false;
        ValueRef pk = null;
        if (target != null && target.kind() == TableRule.Kind.SHARDED) {
            SqlNodeList cols = up.getTargetColumnList();
            for (int i = 0; i < cols.size(); i++) {
                String col = last((SqlIdentifier) cols.get(i));
                if (col.equals(target.creatorColumn())) {
                    setCreator = value(up.getSourceExpressionList().get(i));
                    computed = setCreator == null;
                }
            }
            pk = primaryKey(up.getCondition(), target);
        }
        return new Analysis(
                List.copyOf(sharded),
                broadcast,
                target,
                name,
                where,
                !scope.isEmpty(),
                List.of(),
                null,
                setCreator,
                computed,
                pk,
                null);
    }

    private static ValueRef primaryKey(SqlNode where, TableRule rule) {
        if (where == null || rule.primaryKey() == null) {
            return null;
        }
        if (where.getKind() == SqlKind.AND) {
            for (SqlNode op : ((SqlCall) where).getOperandList()) {
                ValueRef v = primaryKey(op, rule);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }
        if (where.getKind() == SqlKind.EQUALS) {
            SqlCall call = (SqlCall) where;
            for (int side = 0; side < 2; side++) {
                SqlNode c = unwrapCast(call.operand(side));
                if (c instanceof SqlIdentifier id && last(id).equals(rule.primaryKey())) {
                    return value(call.operand(1 - side));
                }
            }
        }
        return null;
    }

    private static int indexOf(SqlNodeList columns, String column) {
        if (column == null) {
            return -1;
        }
        for (int i = 0; i < columns.size(); i++) {
            if (last((SqlIdentifier) columns.get(i)).equals(column)) {
                return i;
            }
        }
        return -1;
    }

    private static String name(SqlNode node) {
        return node instanceof SqlIdentifier id ? last(id) : String.valueOf(node);
    }

    static String last(SqlIdentifier id) {
        String s = id.names.isEmpty() ? "" : id.names.get(id.names.size() - 1);
        return s.toLowerCase(Locale.ROOT);
    }
}
