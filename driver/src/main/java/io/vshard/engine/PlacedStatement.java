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
    private final Engine engine;
    private final PlacedRead read;
    // Per location and text (the unchanged text, the fan-out texts): the text to run there.
    private final Map<At, Qualified> texts = new ConcurrentHashMap<>();

    private record At(ShardLocation location, String sql) {}

    /** The text a location runs and whether it names the schema. */
    private record Qualified(String sql, boolean schemaQualified) {}

    PlacedStatement(Engine engine, PlacedRead read) {
        this.engine = engine;
        this.read = read;
    }

    /** The router's plan for {@code parameters} under {@code state}, its texts qualified as the full plan's. */
    RoutePlan.Sharded plan(List<Object> parameters, RoutingState state) {
        RoutePlan.Sharded p = read.plan(parameters, state, engine::runsWindowTexts);
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
        return new RoutePlan.Sharded(out, p.merge(), false, false);
    }
}
