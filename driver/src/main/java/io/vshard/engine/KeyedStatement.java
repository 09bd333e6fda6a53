package io.vshard.engine;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.route.KeyedRead;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A prepared read whose shard one parameter decides ({@link KeyedRead}), planned once per statement text: each
 * execution calls only the placement function on that parameter's value ({@link KeyedRead#shard}) and takes the
 * text qualified for the shard's schema from a per-location cache, instead of scanning, analysing, resolving the
 * key condition and qualifying the text again. The shard is the one the router's plan names for the same values;
 * while a migration is published (a key may live in two places) or when the value does not name exactly one
 * shard, it answers {@code null} and the statement is planned in full. Thread safe.
 */
final class KeyedStatement {
    private final Engine engine;
    private final String sql;
    private final KeyedRead read;
    // Per location, not per logical shard: two versions sharing a schema share the text.
    private final Map<ShardLocation, Qualified> texts = new ConcurrentHashMap<>();

    /** The text a location runs and whether it names the schema. */
    private record Qualified(String sql, boolean schemaQualified) {}

    KeyedStatement(Engine engine, String sql, KeyedRead read) {
        this.engine = engine;
        this.sql = sql;
        this.read = read;
    }

    /**
     * The shard statement the router's plan for {@code parameters} would hold alone, or {@code null} when the
     * statement must be planned in full.
     */
    ShardStatement statement(List<Object> parameters) {
        if (read.parameter() >= parameters.size()) {
            return null;
        }
        var view = engine.view();
        if (Engine.migrating(view)) {
            return null;
        }
        LogicalShard shard = read.shard(parameters.get(read.parameter()), view.routing());
        if (shard == null) {
            return null;
        }
        ShardLocation at = shard.location();
        Qualified q = texts.get(at);
        if (q == null) {
            String qualified = engine.qualify(sql, at);
            q = qualified == null ? new Qualified(sql, false) : new Qualified(qualified, true);
            texts.put(at, q);
        }
        return new ShardStatement(shard, q.sql(), parameters, List.of(), q.schemaQualified());
    }
}
