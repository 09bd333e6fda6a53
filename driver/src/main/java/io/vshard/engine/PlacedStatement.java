package io.vshard.engine;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.route.PlacedRead;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A prepared read planned once per text for any routing state ({@link PlacedRead}): while a migration is
 * published its key may live in two places, and each execution then costs the placement of its key and the
 * fan-out text made once, instead of a full plan. The texts are qualified with each location's schema once
 * per location. Thread safe.
 */
final class PlacedStatement {
    // -Dvshard.read.unite=false runs a key's two places on one data source as two statements (A/B runs).
    private static final boolean UNITE = Boolean.parseBoolean(System.getProperty("vshard.read.unite", "true"));
    private final Engine engine;
    private final PlacedRead read;
    // Per location and text (the unchanged text, the fan-out texts): the text to run there.
    private final Map<At, Qualified> texts = new ConcurrentHashMap<>();

    // Per pair of qualified texts: their union.
    private final Map<Pair, String> unions = new ConcurrentHashMap<>();

    private record At(ShardLocation location, String sql) {}

    private record Pair(String first, String second) {}

    /** The text a location runs and whether it names the schema. */
    private record Qualified(String sql, boolean schemaQualified) {}

    PlacedStatement(Engine engine, PlacedRead read) {
        this.engine = engine;
        this.read = read;
    }

    /**
     * The router's plan for {@code parameters} under {@code state}, its texts qualified as the full plan's; a key's
     * two window texts in two schemas of one data source as one statement ({@link PlacedRead#union}) with the
     * plan's merge, one round trip instead of two.
     */
    RoutePlan.Sharded plan(List<Object> parameters, RoutingState state) {
        RoutePlan.Sharded p = read.plan(parameters, state, engine::runsWindowTexts);
        boolean unite = UNITE && read.unitable(p);
        List<ShardStatement> out = new ArrayList<>(p.statements().size());
        for (ShardStatement s : p.statements()) {
            At at = new At(s.shard().location(), s.sql());
            Qualified q = texts.get(at);
            if (q == null) {
                String qualified = engine.qualify(s.sql(), at.location());
                q = qualified == null ? new Qualified(s.sql(), false) : new Qualified(qualified, true);
                texts.put(at, q);
            }
            out.add(q.schemaQualified() ? s.qualified(q.sql()) : s);
        }
        if (unite) {
            ShardStatement first = out.get(0);
            ShardStatement second = out.get(1);
            if (first.schemaQualified()
                    && second.schemaQualified()
                    && first.shard()
                            .location()
                            .dataSource()
                            .equals(second.shard().location().dataSource())) {
                return new RoutePlan.Sharded(List.of(united(first, second)), p.merge(), false, false);
            }
        }
        return new RoutePlan.Sharded(out, p.merge(), false, false);
    }

    /** The two statements as one, on the first one's shard (its data source is the second's). */
    private ShardStatement united(ShardStatement first, ShardStatement second) {
        Pair key = new Pair(first.sql(), second.sql());
        String sql = unions.get(key);
        if (sql == null) {
            sql = PlacedRead.union(first.sql(), second.sql());
            unions.put(key, sql);
        }
        List<Object> parameters =
                new ArrayList<>(first.parameters().size() + second.parameters().size());
        parameters.addAll(first.parameters());
        parameters.addAll(second.parameters());
        return new ShardStatement(first.shard(), sql, parameters, List.of(), true);
    }
}
