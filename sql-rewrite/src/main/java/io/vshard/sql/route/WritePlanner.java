package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.Merge;
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

/** Plans one INSERT, UPDATE or DELETE. Each write goes to its key's single write target. */
final class WritePlanner {
    private final Scan scan;
    private final List<Object> parameters;
    private final RoutingState state;
    private final Analysis a;
    private final Map<LogicalShard, List<TouchedKey>> touched = new LinkedHashMap<>();
    private final Map<LogicalShard, List<Integer>> units = new LinkedHashMap<>();
    private boolean held;

    WritePlanner(Scan scan, List<Object> parameters, RoutingState state, Analysis a) {
        this.scan = scan;
        this.parameters = parameters;
        this.state = state;
        this.a = a;
    }

    RoutePlan plan() {
        TableRule target = a.target();
        if (target != null && target.kind() == TableRule.Kind.BROADCAST) {
            if (!a.sharded().isEmpty()) {
                throw refuse("a write to broadcast table " + target.name() + " that reads sharded tables");
            }
            return new RoutePlan.EveryShard(scan.sql(), parameters, false);
        }
        if (target == null || target.kind() != TableRule.Kind.SHARDED) {
            if (!a.sharded().isEmpty()) {
                throw refuse("a write to unsharded table " + a.targetName() + " that reads sharded tables");
            }
            return new RoutePlan.DefaultShard(scan.sql(), parameters, true);
        }
        if (scan.kind() == StatementKind.INSERT) {
            return insert(target);
        }
        if (a.setCreator() != null || a.setsCreatorExpression()) {
            return keyUpdate(target);
        }
        if (!Targets.pins(a.cond())) {
            throw refuse(scan.leadingWord() + " on sharded table " + target.name() + " without "
                    + target.creatorColumn() + " = ... or IN (...) in its WHERE clause");
        }
        Targets t = Targets.of(scan, parameters, state, List.of(target), a.cond(), true);
        for (int i = 0; i < t.places().size(); i++) {
            add(t.places().get(i), i);
        }
        return sharded(t);
    }

    private RoutePlan insert(TableRule target) {
        List<Analysis.InsertRow> rows = a.rows();
        List<Targets.Located> located = new ArrayList<>();
        if (rows.size() == 1 && rows.get(0).creatorFromSource()) {
            return copyWithinShard(target);
        }
        for (int i = 0; i < rows.size(); i++) {
            Analysis.InsertRow row = rows.get(i);
            if (row.creator() == null) {
                throw refuse(
                        a.insertSelect() != null
                                ? "INSERT ... SELECT into sharded table " + target.name() + " unless "
                                        + target.creatorColumn()
                                        + " is a parameter or literal and the rows provably stay on one shard"
                                : "INSERT into sharded table " + target.name() + " with a computed "
                                        + target.creatorColumn());
            }
            Object creator = row.creator().resolve(scan, parameters);
            if (creator == null) {
                throw refuse("INSERT into sharded table " + target.name() + " with a NULL " + target.creatorColumn());
            }
            String region =
                    row.region() == null ? null : String.valueOf(row.region().resolve(scan, parameters));
            WindowId window =
                    row.window() == null ? null : Targets.window(row.window().resolve(scan, parameters));
            ShardKey key = ShardKey.of(ShardKey.creatorIdOf(creator), region);
            Targets.Located l = new Targets.Located(target, key, window, Placement.locate(state, target, key, window));
            located.add(l);
            add(l, i);
        }
        if (a.insertSelect() != null) {
            checkInsertSelect(target);
        }
        if (units.size() == 1) {
            return single();
        }
        List<int[]> ranges = scan.valuesRows();
        if (ranges.size() != rows.size()) {
            throw refuse("a multi-row INSERT over several shards whose VALUES list vshard cannot split");
        }
        List<ShardStatement> out = new ArrayList<>();
        for (Map.Entry<LogicalShard, List<Integer>> e : units.entrySet()) {
            List<Splice.Piece> pieces = new ArrayList<>();
            for (int r : e.getValue()) {
                if (!pieces.isEmpty()) {
                    pieces.add(Splice.Piece.text(", "));
                }
                pieces.add(Splice.Piece.range(ranges.get(r)[0], ranges.get(r)[1]));
            }
            Splice s = new Splice(scan, parameters)
                    .replace(ranges.get(0)[0], ranges.get(ranges.size() - 1)[1], pieces)
                    .apply();
            out.add(new ShardStatement(e.getKey(), s.sql(), s.parameters(), touched.get(e.getKey())));
        }
        return new RoutePlan.Sharded(out, Merge.NONE, true, held);
    }

    /** INSERT ... SELECT copying the creator column from a read pinned to one shard: stays on that shard. */
    private RoutePlan copyWithinShard(TableRule target) {
        Cond inner = a.insertSelect();
        if (!Targets.pins(inner)) {
            throw refuse("INSERT ... SELECT into sharded table " + target.name()
                    + " whose SELECT is not pinned to one shard by " + target.creatorColumn());
        }
        Targets t = Targets.of(scan, parameters, state, List.of(target), inner, true);
        for (int i = 0; i < t.places().size(); i++) {
            add(t.places().get(i), i);
        }
        if (units.size() != 1) {
            throw refuse("INSERT ... SELECT into sharded table " + target.name() + " that spans several shards");
        }
        return single();
    }

    private void checkInsertSelect(TableRule target) {
        Cond inner = a.insertSelect();
        if (inner.known()
                && inner.alts().size() == 1
                && inner.alts().get(0).creator() == null
                && a.sharded().size() == 1) {
            return;
        }
        List<TableRule> read = a.sharded();
        if (!Targets.pins(inner)) {
            throw refuse("INSERT ... SELECT into sharded table " + target.name()
                    + " whose SELECT is not pinned to the same shard by " + target.creatorColumn());
        }
        Targets t = Targets.of(scan, parameters, state, read, inner, false);
        if (t.shards().size() != 1 || !units.containsKey(t.shards().get(0))) {
            throw refuse("INSERT ... SELECT into sharded table " + target.name() + " that spans several shards");
        }
    }

    /** UPDATE ... SET creator_id = ?: pinned by the WHERE when it names the key, else the ORM form. */
    private RoutePlan keyUpdate(TableRule target) {
        if (a.setsCreatorExpression()) {
            throw refuse("UPDATE of sharded table " + target.name() + " computing " + target.creatorColumn());
        }
        Object value = a.setCreator().resolve(scan, parameters);
        if (value == null) {
            throw refuse("UPDATE setting " + target.creatorColumn() + " of " + target.name() + " to NULL");
        }
        ShardKey key = ShardKey.of(ShardKey.creatorIdOf(value));
        Place place = Placement.locate(state, target, key, null);
        if (place.writeTarget() == null) {
            throw refuse("UPDATE of " + target.name() + " without " + Planner.missing(target, null, key));
        }
        if (Targets.pins(a.cond())) {
            Targets t = Targets.of(scan, parameters, state, List.of(target), a.cond(), true);
            for (int i = 0; i < t.places().size(); i++) {
                add(t.places().get(i), i);
            }
            if (units.size() != 1 || !units.containsKey(place.writeTarget())) {
                throw refuse("UPDATE that moves rows of " + target.name() + " between shards (it changes "
                        + target.creatorColumn() + ")");
            }
            return single();
        }
        if (a.primaryKey() == null || scan.topLevelWhere() < 0) {
            throw refuse("UPDATE setting " + target.creatorColumn() + " of " + target.name()
                    + " without pinning one row by its primary key");
        }
        int where = scan.topLevelWhere();
        Splice guard = new Splice(scan, parameters)
                .replace(
                        where + 1, where + 1, List.of(Splice.Piece.text("("), Splice.Piece.range(where + 1, where + 1)))
                .insertBefore(
                        scan.tailToken(),
                        List.of(
                                Splice.Piece.text(") AND " + target.creatorColumn() + " = "),
                                Splice.Piece.parameter(value)))
                .apply();
        TouchedKey tk = new TouchedKey(target.name(), key.creatorId(), null, null);
        ShardStatement guarded = new ShardStatement(place.writeTarget(), guard.sql(), guard.parameters(), List.of(tk));
        Object pk = a.primaryKey().resolve(scan, parameters);
        List<ShardStatement> checks = new ArrayList<>();
        String check = "SELECT 1 FROM " + a.targetName() + " WHERE " + target.primaryKey()
                + (scan.parameterCount() > 0 && scan.sql().contains("$") ? " = $1" : " = ?");
        for (LogicalShard s : Placement.allShards(state)) {
            if (!s.equals(place.writeTarget())) {
                checks.add(new ShardStatement(s, check, java.util.Collections.singletonList(pk), List.of()));
            }
        }
        return new RoutePlan.GuardedUpdate(guarded, checks);
    }

    private void add(Targets.Located l, int unit) {
        Place p = l.place();
        if (p.writeTarget() == null) {
            throw refuse(scan.leadingWord() + " into " + l.rule().name() + " without "
                    + Planner.missing(l.rule(), l.window(), l.key()) + ": the row's shard is not pinned");
        }
        held |= p.writesHeld();
        touched.computeIfAbsent(p.writeTarget(), k -> new ArrayList<>())
                .add(new TouchedKey(
                        l.rule().name(), l.key().creatorId(), l.key().region(), l.window()));
        List<Integer> u = units.computeIfAbsent(p.writeTarget(), k -> new ArrayList<>());
        if (u.isEmpty() || u.get(u.size() - 1) != unit) {
            u.add(unit);
        }
    }

    private RoutePlan single() {
        Map.Entry<LogicalShard, List<TouchedKey>> e =
                touched.entrySet().iterator().next();
        ShardStatement st = new ShardStatement(e.getKey(), scan.sql(), parameters, e.getValue());
        return new RoutePlan.Sharded(List.of(st), Merge.NONE, true, held);
    }

    private RoutePlan sharded(Targets t) {
        if (touched.size() == 1) {
            return single();
        }
        if (scan.tailConstruct() != null && !scan.tailConstruct().equals("RETURNING")) {
            throw refuse(scan.tailConstruct() + " in a " + scan.leadingWord() + " that spans several shards");
        }
        List<ShardStatement> out = new ArrayList<>();
        for (LogicalShard shard : touched.keySet()) {
            Splice s = new Splice(scan, parameters);
            Targets one = new Targets(t.shards(), regroup(t), t.places(), t.inList(), scan);
            if (one.splitInList(s, shard)) {
                s.apply();
                out.add(new ShardStatement(shard, s.sql(), s.parameters(), touched.get(shard)));
            } else {
                out.add(new ShardStatement(shard, scan.sql(), parameters, touched.get(shard)));
            }
        }
        return new RoutePlan.Sharded(out, Merge.NONE, true, held);
    }

    /** Alternatives by write target (a write goes to the target only, not every candidate). */
    private Map<LogicalShard, List<Integer>> regroup(Targets t) {
        return t.places().size() == a.cond().alts().size() ? units : Map.of();
    }

    private RoutingException refuse(String what) {
        return new RoutingException("0A000", "vshard cannot route " + what, 1);
    }
}
