package io.vshard.sql.route;

import io.vshard.manifest.function.InvalidShardKeyException;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.Merge;
import io.vshard.sql.PlacementFilter;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.RoutingException;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.parse.Scan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A prepared read whose key condition names one creator value (region and window optional), planned once per
 * text for any routing state: each execution resolves the key through the placement function as the full plan does
 * ({@link Targets}), then takes the text the full plan would run. One shard runs the text unchanged; several
 * shards (during a migration a key may live in two places) run the fan-out text the full plan edits for the
 * merge and the per-row placement check, which is the same for every key and so is edited once per variant
 * (with or without the check) instead of once per shard per execution. The plan equals the router's full plan
 * for the same text, parameters and state. Thread safe.
 */
public final class PlacedRead {
    private final Scan scan;
    private final Analysis analysis;
    /** The fan-out template without ([0]) and with ([1]) the placement check, made on first need. */
    private final FanOutTemplate[] templates = new FanOutTemplate[2];

    /**
     * The fan-out text and merge as the full plan makes them, for any key.
     *
     * @param sql the per-shard text
     * @param parameterOf for each parameter of {@code sql}, the index of the statement's parameter it takes, or
     *     {@code null} when they are the statement's parameters in order
     * @param merge the merge; its placement check names the state it was made under and is rebuilt per state
     */
    private record FanOutTemplate(String sql, int[] parameterOf, Merge merge) {}

    /** Stands for parameter {@code index} while the template is edited, so the edit shows where it went. */
    private record Marker(int index) {}

    PlacedRead(Scan scan, Analysis analysis) {
        this.scan = scan;
        this.analysis = analysis;
    }

    /**
     * The plan for {@code parameters} under {@code state}: what the router's full plan of the same text gives.
     *
     * @throws RoutingException as the full plan: 22P02 for a value that is no valid shard key, 0A000 for a shape
     *     that cannot be merged, 08P01 for a missing parameter
     */
    public RoutePlan.Sharded plan(List<Object> parameters, RoutingState state) {
        Targets t;
        try {
            t = Targets.of(scan, parameters, state, analysis.sharded(), analysis.cond(), false);
        } catch (InvalidShardKeyException e) {
            throw new RoutingException("22P02", e.getMessage(), 1);
        }
        if (t.shards().size() == 1) {
            return Planner.single(scan, parameters, t.shards().get(0));
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
        List<Object> bound = parameters;
        if (f.parameterOf() != null) {
            bound = new ArrayList<>(f.parameterOf().length);
            for (int i : f.parameterOf()) {
                bound.add(parameters.get(i));
            }
        }
        List<ShardStatement> statements = new ArrayList<>(t.shards().size());
        for (LogicalShard shard : t.shards()) {
            statements.add(new ShardStatement(shard, f.sql(), bound, List.of()));
        }
        return new RoutePlan.Sharded(statements, under(f.merge(), state), false, false);
    }

    /**
     * Edits the fan-out text once with markers in place of the parameter values, so the template records which
     * parameter each per-shard parameter takes; {@code null} when the shards' texts differ (not expected for a
     * single key alternative, but then the full fan-out is planned each time).
     */
    private FanOutTemplate template(List<Object> parameters, RoutingState state, Targets t) {
        List<Object> markers = new ArrayList<>(parameters.size());
        for (int i = 0; i < parameters.size(); i++) {
            markers.add(new Marker(i));
        }
        RoutePlan.Sharded p = Planner.fanOut(scan, markers, state, analysis, t);
        ShardStatement first = p.statements().get(0);
        for (ShardStatement s : p.statements()) {
            if (!s.sql().equals(first.sql()) || !s.parameters().equals(first.parameters())) {
                return null;
            }
        }
        int[] of = new int[first.parameters().size()];
        for (int i = 0; i < of.length; i++) {
            if (!(first.parameters().get(i) instanceof Marker m)) {
                return null;
            }
            of[i] = m.index();
        }
        boolean inOrder = of.length == parameters.size();
        for (int i = 0; i < of.length && inOrder; i++) {
            inOrder = of[i] == i;
        }
        return new FanOutTemplate(first.sql(), inOrder ? null : Arrays.copyOf(of, of.length), p.merge());
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
