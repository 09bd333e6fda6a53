package io.vshard.engine;

import io.vshard.control.RouterView;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.sql.ShardStatement;
import io.vshard.sql.route.KeyedRead;
import io.vshard.sql.route.KeyedWrite;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A prepared statement whose shard one parameter decides, planned once per statement text: a read
 * ({@link KeyedRead}) or a single-row INSERT ({@link KeyedWrite}). Each execution calls only the placement
 * function on that parameter's value and takes the text qualified for the shard's schema from a per-location
 * cache, instead of scanning, analysing, resolving the key and qualifying the text again. The shard statement is
 * the one the router's plan holds for the same values, touched keys included; while a migration is published (a
 * key may live in two places, a cohort may be fenced) or when the value does not name exactly one shard, it
 * answers {@code null} and the statement is planned in full. Thread safe.
 */
final class KeyedStatement {
    private final Engine engine;
    private final String sql;
    /** Exactly one of read and write is set. */
    private final KeyedRead read;

    private final KeyedWrite write;
    // Per location, not per logical shard: two versions sharing a schema share the text.
    private final Map<ShardLocation, Qualified> texts = new ConcurrentHashMap<>();

    /** The text a location runs and whether it names the schema. */
    private record Qualified(String sql, boolean schemaQualified) {}

    private KeyedStatement(Engine engine, String sql, KeyedRead read, KeyedWrite write) {
        this.engine = engine;
        this.sql = sql;
        this.read = read;
        this.write = write;
    }

    static KeyedStatement read(Engine engine, String sql, KeyedRead read) {
        return new KeyedStatement(engine, sql, read, null);
    }

    static KeyedStatement write(Engine engine, String sql, KeyedWrite write) {
        return new KeyedStatement(engine, sql, null, write);
    }

    /** Whether the statement writes (its plan would be a write, registered and admitted as one). */
    boolean writes() {
        return write != null;
    }

    /**
     * The shard statement the router's plan for {@code parameters} would hold alone, or {@code null} when the
     * statement must be planned in full; {@code epoch[0]} receives the epoch of the view it was placed under.
     */
    ShardStatement statement(List<Object> parameters, long[] epoch) {
        int p = read != null ? read.parameter() : write.parameter();
        if (p >= parameters.size()) {
            return null;
        }
        long readAt = engine.viewReadNanos();
        RouterView view = engine.view();
        if (Engine.migrating(view)) {
            return null;
        }
        Object key = parameters.get(p);
        LogicalShard shard = read != null ? read.shard(key, view.routing()) : write.shard(key, view.routing());
        if (shard == null) {
            return null;
        }
        epoch[0] = view.epoch();
        if (epoch.length > 1) {
            epoch[1] = readAt;
        }
        ShardLocation at = shard.location();
        Qualified q = texts.get(at);
        if (q == null) {
            String qualified = engine.qualify(sql, at);
            q = qualified == null ? new Qualified(sql, false) : new Qualified(qualified, true);
            texts.put(at, q);
        }
        return new ShardStatement(
                shard,
                q.sql(),
                parameters,
                read != null ? List.of() : List.of(write.touched(key)),
                q.schemaQualified());
    }
}
