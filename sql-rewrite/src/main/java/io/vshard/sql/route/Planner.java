package io.vshard.sql.route;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.function.InvalidShardKeyException;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.Merge;
import io.vshard.sql.PlacementFilter;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.RoutingException;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.TouchedKey;
import io.vshard.sql.parse.Scan;
import io.vshard.sql.parse.StatementKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans a DML statement on sharded, broadcast or unsharded tables: analysis (cached by the scan's cache
 * key), key values from the slots, every shard from {@link Placement}, and text edits only where a fan-out
 * needs them. Thread safe.
 */
public final class Planner {
    /** Cache value for statements that name no sharded or broadcast table: they never reach Calcite. */
    private static final Analysis NO_RULE_TABLE =
            new Analysis(List.of(), false, null, null, Cond.UNKNOWN, false, List.of(), null, null, false, null, null);

    private final TableRules rules;
    private final Cache<String, Analysis> cache;

    /**
     * Creates a planner.
     *
     * @param rules the table rules
     * @param cacheEntries the analysis cache size
     */
    public Planner(TableRules rules, long cacheEntries) {
        this.rules = rules;
        // maintenance (eviction) on the calling thread: no hand-off to the common pool on a cache miss
        this.cache = Caffeine.newBuilder()
                .maximumSize(cacheEntries)
                .executor(Runnable::run)
                .build();
    }

    /**
     * Plans a QUERY, INSERT, UPDATE or DELETE scan.
     *
     * @throws RoutingException 42601 or 0A000 when it cannot be routed
     */
    public RoutePlan plan(Scan scan, List<Object> parameters, RoutingState state) {
        Analysis a = analysis(scan);
        boolean writes = scan.kind() != StatementKind.QUERY && !scan.explained();
        if (a == NO_RULE_TABLE) {
            return new RoutePlan.DefaultShard(scan.sql(), parameters, writes);
        }
        try {
            return writes ? new WritePlanner(scan, parameters, state, a).plan() : read(scan, parameters, state, a);
        } catch (InvalidShardKeyException e) {
            throw new RoutingException("22P02", e.getMessage(), 1);
        }
    }

    /**
     * The analysis of a query (not EXPLAIN) of sharded tables whose condition pins one key value (one
     * alternative, no array), the common ground of the plan-once reads; {@code null} otherwise.
     */
    private Analysis oneKeyQuery(Scan scan) {
        if (scan.kind() != StatementKind.QUERY || scan.explained()) {
            return null;
        }
        Analysis a = analysis(scan);
        if (a == NO_RULE_TABLE
                || !a.touchesSharded()
                || !Targets.pins(a.cond())
                || a.cond().alts().size() != 1
                || a.cond().alts().get(0).array()) {
            return null;
        }
        return a;
    }

    /**
     * The read's shard-deciding parameter when a QUERY scan's plan is always "this text on the shard of one
     * parameter's value" (see {@link KeyedRead}), else {@code null}.
     */
    public KeyedRead keyedRead(Scan scan) {
        Analysis a = oneKeyQuery(scan);
        if (a == null) {
            return null;
        }
        Alt alt = a.cond().alts().get(0);
        ValueRef creator = alt.creator();
        if (alt.region() != null || alt.window() != null || creator.slot() < 0 || creator.negate()) {
            return null;
        }
        int parameter = scan.parameterIndexOf(creator.slot());
        return parameter < 0 ? null : new KeyedRead(parameter, a.sharded());
    }

    /**
     * A read whose key condition names one creator value (with or without region or window), planned once per
     * text for every routing state (see {@link PlacedRead}); {@code null} for other statements, and for reads
     * whose per-shard text would depend on parameter values (LIMIT or OFFSET, IN lists split per shard).
     */
    public PlacedRead placedRead(Scan scan) {
        Analysis a = oneKeyQuery(scan);
        if (a == null) {
            return null;
        }
        SelectShape shape = a.select();
        if (shape != null && (shape.offset() != null || shape.fetch() != null)) {
            return null;
        }
        return new PlacedRead(scan, a);
    }

    /**
     * The INSERT's shard-deciding parameter when a scan's plan is always "this text on the write target of one
     * parameter's value" (see {@link KeyedWrite}), else {@code null}.
     */
    public KeyedWrite keyedWrite(Scan scan) {
        if (scan.kind() != StatementKind.INSERT || scan.explained()) {
            return null;
        }
        Analysis a = analysis(scan);
        TableRule target = a.target();
        if (a == NO_RULE_TABLE
                || target == null
                || target.kind() != TableRule.Kind.SHARDED
                || a.insertSelect() != null
                || a.rows().size() != 1) {
            return null;
        }
        Analysis.InsertRow row = a.rows().get(0);
        ValueRef creator = row.creator();
        if (row.creatorFromSource()
                || row.region() != null
                || row.window() != null
                || creator == null
                || creator.slot() < 0
                || creator.negate()) {
            return null;
        }
        int parameter = scan.parameterIndexOf(creator.slot());
        return parameter < 0 ? null : new KeyedWrite(parameter, target);
    }

    private Analysis analysis(Scan scan) {
        Analysis a = cache.getIfPresent(scan.cacheKey());
        if (a == null) {
            a = namesRuleTable(scan) ? analyze(scan) : NO_RULE_TABLE;
            cache.put(scan.cacheKey(), a);
        }
        return a;
    }

    /** The lexer alone for a plain point select (equivalent, ~50x cheaper), else Calcite. */
    private Analysis analyze(Scan scan) {
        Analysis a = LexicalFront.analyze(rules, scan);
        return a != null ? a : BabelFront.analyze(rules, scan);
    }

    private boolean namesRuleTable(Scan scan) {
        return ruleTableNamed(scan) != null;
    }

    /**
     * The first sharded or broadcast table whose name appears as a word of the statement (literals and
     * comments ignored), or {@code null}.
     */
    public String ruleTableNamed(Scan scan) {
        for (TableRule r : rules.all()) {
            if (r.kind() != TableRule.Kind.UNSHARDED && scan.mentions(r.name())) {
                return r.name();
            }
        }
        return null;
    }

    private static RoutePlan read(Scan scan, List<Object> parameters, RoutingState state, Analysis a) {
        if (!a.touchesSharded()) {
            return new RoutePlan.DefaultShard(scan.sql(), parameters, false);
        }
        Targets t = Targets.of(scan, parameters, state, a.sharded(), a.cond(), false);
        if (t.shards().size() == 1) {
            return single(scan, parameters, t.shards().get(0));
        }
        return fanOut(scan, parameters, state, a, t);
    }

    /** The plan of a read that one shard answers: the text unchanged. */
    static RoutePlan.Sharded single(Scan scan, List<Object> parameters, LogicalShard shard) {
        ShardStatement only = new ShardStatement(shard, scan.sql(), parameters, List.of());
        return new RoutePlan.Sharded(List.of(only), Merge.NONE, false, false);
    }

    /** The plan of a read of several shards: per-shard texts edited for the merge, and the merge. */
    static RoutePlan.Sharded fanOut(Scan scan, List<Object> parameters, RoutingState state, Analysis a, Targets t) {
        return fanOut(scan, parameters, state, a, t, null);
    }

    /**
     * {@link #fanOut(Scan, List, RoutingState, Analysis, Targets)}, or with {@code sides} each shard's window
     * condition in its text instead of the per-row placement check.
     */
    static RoutePlan.Sharded fanOut(
            Scan scan, List<Object> parameters, RoutingState state, Analysis a, Targets t, WindowSplit.Sides sides) {
        SelectShape shape = a.select();
        Merge merge = Merge.NONE;
        if (shape != null && !scan.explained()) {
            if (shape.refusal() != null) {
                throw new RoutingException(
                        "0A000",
                        "vshard cannot merge " + shape.refusal()
                                + " across shards; add the shard key to the WHERE clause",
                        1);
            }
            long offset = shape.offset() == null ? 0 : number(shape.offset().resolve(scan, parameters));
            long limit = shape.fetch() == null ? -1 : number(shape.fetch().resolve(scan, parameters));
            merge = new Merge(
                    shape.orderBy(),
                    offset,
                    limit,
                    shape.groupBy(),
                    shape.aggregates(),
                    shape.distinct(),
                    shape.visible());
        }
        // During a migration a row copied to its new place is also still at its old one: check each row's key.
        KeyColumns keys =
                sides == null && state.next() != null && shape != null && !scan.explained() ? keys(shape) : null;
        if (keys != null) {
            merge = filtered(merge, shape, keys, state);
        }
        List<ShardStatement> out = new ArrayList<>();
        for (LogicalShard shard : t.shards()) {
            Splice s = new Splice(scan, parameters);
            boolean edited = t.splitInList(s, shard);
            boolean unsafeLimit = shape != null && shape.fetchToken() >= 0 && (keys != null || !limitPushable(merge));
            if (shape != null
                    && !scan.explained()
                    && shape.refusal() == null
                    && (shape.needsRewrite() || unsafeLimit || keys != null)) {
                edit(s, shape, merge, unsafeLimit, keys);
                edited = true;
            }
            if (sides != null) {
                sides.edit(s, shard);
                edited = true;
            }
            if (edited) {
                s.apply();
                out.add(new ShardStatement(shard, s.sql(), s.parameters(), List.of()));
            } else {
                out.add(new ShardStatement(shard, scan.sql(), parameters, List.of()));
            }
        }
        return new RoutePlan.Sharded(out, merge, false, false);
    }

    private static KeyColumns keys(SelectShape shape) {
        KeyColumns keys = shape.keys();
        if (keys == null || keys.refusal() != null) {
            throw new RoutingException(
                    "0A000",
                    "during a migration vshard cannot read "
                            + (keys == null ? "this query" : keys.refusal())
                            + " across shards (a moved row is still at its old place until drain, and this shape"
                            + " cannot be checked row by row); add the shard key to the WHERE clause",
                    1);
        }
        return keys;
    }

    /**
     * The merge with the placement check: the key columns come after every other hidden column. Under
     * {@code *} positions count from the end, so the sort columns already hidden there move left.
     */
    private static Merge filtered(Merge merge, SelectShape shape, KeyColumns keys, RoutingState state) {
        TableRule rule = keys.rule();
        int n = keys.columns().size();
        int[] at = new int[n];
        List<Merge.SortKey> orderBy = merge.orderBy();
        int visible = merge.visibleColumns();
        if (shape.visible() >= 0) {
            for (int j = 0; j < n; j++) {
                at[j] = shape.visible() + shape.hidden().size() + j;
            }
        } else {
            for (int j = 0; j < n; j++) {
                at[j] = j - n;
            }
            orderBy = orderBy.stream()
                    .map(k -> k.column() >= 0 ? k : new Merge.SortKey(k.column() - n, k.descending(), k.nullsFirst()))
                    .toList();
            visible -= n;
        }
        int region = rule.regionColumn() == null ? PlacementFilter.ABSENT : at[1];
        int window = rule.windowColumn() == null ? PlacementFilter.ABSENT : at[n - 1];
        return new Merge(
                orderBy,
                merge.offset(),
                merge.limit(),
                merge.groupBy(),
                merge.aggregates(),
                merge.distinct(),
                visible,
                new PlacementFilter(state, rule, at[0], region, window));
    }

    /**
     * Whether each shard may apply the LIMIT itself: always without grouping; with grouping only when the
     * sort keys are exactly the group columns, so a shard's first n groups hold every group of the global
     * first n, complete. Otherwise a shard's LIMIT would cut groups whose partials other shards still need.
     */
    static boolean limitPushable(Merge merge) {
        if (merge.groupBy().isEmpty() && merge.aggregates().isEmpty()) {
            return true;
        }
        java.util.Set<Integer> sortColumns = new java.util.HashSet<>();
        merge.orderBy().forEach(k -> sortColumns.add(k.column()));
        return !merge.groupBy().isEmpty() && sortColumns.equals(new java.util.HashSet<>(merge.groupBy()));
    }

    private static void edit(Splice s, SelectShape shape, Merge merge, boolean unsafeLimit, KeyColumns keys) {
        if (unsafeLimit) {
            // the merge applies OFFSET and LIMIT after aggregating; shards return every group
            if (shape.offset() != null) {
                s.replace(shape.offsetToken(), "0");
            }
            s.replace(shape.fetchToken(), Long.toString(Long.MAX_VALUE));
        } else if (merge.offset() > 0 || shape.offset() != null) {
            s.replace(shape.offsetToken(), "0");
            if (shape.fetchToken() >= 0 && merge.limit() >= 0) {
                s.replace(shape.fetchToken(), Long.toString(merge.limit() + merge.offset()));
            }
        }
        for (int token : shape.avgTokens()) {
            s.replace(token, "SUM");
        }
        List<Splice.Piece> hidden = new ArrayList<>();
        for (int i = 0; i < shape.hidden().size(); i++) {
            int[] r = shape.hidden().get(i);
            hidden.add(Splice.Piece.text(", "));
            if (i < shape.avgTokens().size()) {
                hidden.add(Splice.Piece.text("COUNT"));
                hidden.add(Splice.Piece.range(r[0] + 1, r[1]));
            } else {
                hidden.add(Splice.Piece.range(r[0], r[1]));
            }
        }
        if (keys != null) {
            String columns = String.join(", ", keys.columns());
            hidden.add(Splice.Piece.text(", " + columns));
            // aggregates become one partial per key, each checked, then re-aggregated by the merge
            if (!merge.aggregates().isEmpty() || !merge.groupBy().isEmpty()) {
                if (keys.groupAfter() >= 0) {
                    s.insertBefore(keys.groupAfter() + 1, List.of(Splice.Piece.text(", " + columns)));
                } else {
                    s.insertBefore(keys.groupBefore(), List.of(Splice.Piece.text(" GROUP BY " + columns)));
                }
            }
        }
        if (!hidden.isEmpty()) {
            s.insertBefore(shape.insertAt(), hidden);
        }
    }

    static long number(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new RoutingException("22P02", "LIMIT and OFFSET must be integers", 1);
        }
    }

    /** The shard-key columns a write did not supply, for the 0A000 message. */
    static String missing(TableRule rule, WindowId window, ShardKey key) {
        List<String> cols = new ArrayList<>();
        if (rule.regionColumn() != null && key.region() == null) {
            cols.add(rule.regionColumn());
        }
        if (rule.windowColumn() != null && window == null) {
            cols.add(rule.windowColumn());
        }
        return cols.isEmpty() ? "a shard-key column" : String.join(" and ", cols);
    }

    static Map<LogicalShard, List<TouchedKey>> group() {
        return new LinkedHashMap<>();
    }
}
