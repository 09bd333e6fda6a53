package io.vshard.sql.route;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.function.InvalidShardKeyException;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.Merge;
import io.vshard.sql.PlacementFilter;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.RoutingException;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.parse.Scan;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A prepared read whose key condition names one creator value (region and window optional), planned once per
 * text for any routing state: each execution resolves the key through the placement function as the full plan does
 * ({@link Targets}), then takes the text the full plan would run. One shard runs the text unchanged; several
 * shards (during a migration a key may live in two places) run the fan-out text the full plan edits for the
 * merge and the per-row placement check, which is the same for every key and so is edited once per variant
 * (with or without the check) instead of once per shard per execution. The plan equals the router's full plan
 * for the same text, parameters and state. Thread safe.
 *
 * <p>Where the caller allows it ({@link #plan(List, RoutingState, Predicate)}, PostgreSQL places), a ledger read
 * whose two places differ only by window runs each place's window condition in its text instead of the per-row
 * check ({@link WindowSplit}): other texts than the full plan's, the same rows.
 */
public final class PlacedRead {
    private final Scan scan;
    private final Analysis analysis;
    /** The fan-out template without ([0]) and with ([1]) the placement check, made on first need. */
    private final FanOutTemplate[] templates = new FanOutTemplate[2];
    /** The split of this text by window, or {@code null} when it has none. */
    private final WindowSplit split;
    /** The window texts for the last effective window seen, made on first need. */
    private volatile WindowTemplate windowTemplate;

    /** The texts of the older and the newer side for one effective window, and their merge (no check). */
    private record WindowTemplate(WindowId effective, FanOutTemplate older, FanOutTemplate newer) {}

    /**
     * The fan-out text and merge as the full plan makes them, for any key.
     *
     * @param sql the per-shard text
     * @param parameterOf for each parameter of {@code sql}, the index of the statement's parameter it takes, or
     *     {@code null} when they are the statement's parameters in order
     * @param merge the merge; its placement check names the state it was made under and is rebuilt per state
     */
    private record FanOutTemplate(String sql, int[] parameterOf, Merge merge) {
        /** The statement's parameters as this text takes them. */
        List<Object> bind(List<Object> parameters) {
            if (parameterOf == null) {
                return parameters;
            }
            List<Object> bound = new ArrayList<>(parameterOf.length);
            for (int i : parameterOf) {
                bound.add(parameters.get(i));
            }
            return bound;
        }
    }

    /** Stands for parameter {@code index} while the template is edited, so the edit shows where it went. */
    private record Marker(int index) {}

    PlacedRead(Scan scan, Analysis analysis) {
        this.scan = scan;
        this.analysis = analysis;
        this.split = WindowSplit.of(scan, analysis);
    }

    /**
     * The plan for {@code parameters} under {@code state}: what the router's full plan of the same text gives.
     *
     * @throws RoutingException as the full plan: 22P02 for a value that is no valid shard key, 0A000 for a shape
     *     that cannot be merged, 08P01 for a missing parameter
     */
    public RoutePlan.Sharded plan(List<Object> parameters, RoutingState state) {
        return plan(parameters, state, at -> false);
    }

    /**
     * The plan for {@code parameters} under {@code state}: the full plan's, or, when the key's two places differ
     * only by window and {@code windowTexts} accepts both (it must accept PostgreSQL locations only), each place's
     * window condition in its text and a merge without the per-row check, which returns the same rows.
     *
     * @throws RoutingException as {@link #plan(List, RoutingState)}
     */
    public RoutePlan.Sharded plan(List<Object> parameters, RoutingState state, Predicate<ShardLocation> windowTexts) {
        Targets t;
        try {
            t = Targets.of(scan, parameters, state, analysis.sharded(), analysis.cond(), false);
        } catch (InvalidShardKeyException e) {
            throw new RoutingException("22P02", e.getMessage(), 1);
        }
        if (t.shards().size() == 1) {
            return Planner.single(scan, parameters, t.shards().get(0));
        }
        WindowSplit.Sides sides = split == null ? null : split.sides(state, t);
        if (sides != null
                && windowTexts.test(sides.older().location())
                && windowTexts.test(sides.newer().location())) {
            return windowPlan(parameters, state, t, sides);
        }
        int variant = state.next() != null ? 1 : 0;
        FanOutTemplate f = templates[variant];
        if (f == null) {
            f = template(parameters, state, t);
            if (f == null) {
                return Planner.fanOut(scan, parameters, state, analysis, t);
            }
            templates[variant] = f;
        }
        List<Object> bound = f.bind(parameters);
        List<ShardStatement> statements = new ArrayList<>(t.shards().size());
        for (LogicalShard shard : t.shards()) {
            statements.add(new ShardStatement(shard, f.sql(), bound, List.of()));
        }
        return new RoutePlan.Sharded(statements, under(f.merge(), state), false, false);
    }

    private RoutePlan.Sharded windowPlan(
            List<Object> parameters, RoutingState state, Targets t, WindowSplit.Sides sides) {
        WindowTemplate w = windowTemplate;
        if (w == null || !w.effective().equals(sides.effective())) {
            RoutePlan.Sharded p = Planner.fanOut(scan, markers(parameters.size()), state, analysis, t, sides);
            FanOutTemplate older = null;
            FanOutTemplate newer = null;
            for (ShardStatement s : p.statements()) {
                FanOutTemplate f = of(s, p.merge(), parameters.size());
                if (f == null) {
                    return Planner.fanOut(scan, parameters, state, analysis, t, sides);
                }
                if (s.shard().equals(sides.older())) {
                    older = f;
                } else {
                    newer = f;
                }
            }
            w = new WindowTemplate(sides.effective(), older, newer);
            windowTemplate = w;
        }
        List<ShardStatement> statements = new ArrayList<>(2);
        for (LogicalShard shard : t.shards()) {
            FanOutTemplate f = shard.equals(sides.older()) ? w.older() : w.newer();
            statements.add(new ShardStatement(shard, f.sql(), f.bind(parameters), List.of()));
        }
        return new RoutePlan.Sharded(statements, w.older().merge(), false, false);
    }

    private static List<Object> markers(int n) {
        List<Object> markers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            markers.add(new Marker(i));
        }
        return markers;
    }

    /** The template of one per-shard statement edited with markers; {@code null} when a value was not a marker. */
    private static FanOutTemplate of(ShardStatement s, Merge merge, int parameterCount) {
        int[] of = new int[s.parameters().size()];
        for (int i = 0; i < of.length; i++) {
            if (!(s.parameters().get(i) instanceof Marker m)) {
                return null;
            }
            of[i] = m.index();
        }
        boolean inOrder = of.length == parameterCount;
        for (int i = 0; i < of.length && inOrder; i++) {
            inOrder = of[i] == i;
        }
        return new FanOutTemplate(s.sql(), inOrder ? null : of, merge);
    }

    /**
     * Edits the fan-out text once with markers in place of the parameter values, so the template records which
     * parameter each per-shard parameter takes; {@code null} when the shards' texts differ (not expected for a
     * single key alternative, but then the full fan-out is planned each time).
     */
    private FanOutTemplate template(List<Object> parameters, RoutingState state, Targets t) {
        RoutePlan.Sharded p = Planner.fanOut(scan, markers(parameters.size()), state, analysis, t);
        ShardStatement first = p.statements().get(0);
        for (ShardStatement s : p.statements()) {
            if (!s.sql().equals(first.sql()) || !s.parameters().equals(first.parameters())) {
                return null;
            }
        }
        return of(first, p.merge(), parameters.size());
    }

    /** The template's merge with its placement check made for {@code state}, as the full plan makes it. */
    private static Merge under(Merge m, RoutingState state) {
        PlacementFilter p = m.placement();
        if (p == null || p.state() == state) {
            return m;
        }
        return new Merge(
                m.orderBy(),
                m.offset(),
                m.limit(),
                m.groupBy(),
                m.aggregates(),
                m.distinct(),
                m.visibleColumns(),
                new PlacementFilter(state, p.table(), p.creatorColumn(), p.regionColumn(), p.windowColumn()));
    }
}
