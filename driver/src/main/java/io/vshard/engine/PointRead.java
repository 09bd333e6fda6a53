package io.vshard.engine;

import io.vshard.control.RouterView;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.sql.route.KeyedRead;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A read statement that one parameter routes (see {@link Engine#pointRead}), planned once: each execution
 * resolves only the shard-key value through the placement function, under the same rule as
 * {@link Engine#singleShardRead} (nothing bypasses the engine while a migration is published). The
 * schema-qualified text is kept per physical location. Thread safe.
 */
public final class PointRead {
    private final Engine engine;
    private final String sql;
    private final KeyedRead read;
    private final Map<ShardLocation, ShardTarget> targets = new ConcurrentHashMap<>();
    private final LongAdder routed;

    PointRead(Engine engine, String sql, KeyedRead read) {
        this.engine = engine;
        this.sql = sql;
        this.read = read;
        this.routed = engine.metrics().counter("single_shard");
    }

    /** The 0-based index of the parameter whose value decides the shard. */
    public int keyParameter() {
        return read.parameter();
    }

    /**
     * Where the read runs when the key parameter is {@code key}: what {@link Engine#singleShardRead} returns for
     * the same statement and parameters, or {@code null} when the caller must run it through a {@link Session}.
     */
    public ShardTarget target(Object key) {
        RouterView v = engine.view();
        if (Engine.migrating(v)) {
            return null;
        }
        LogicalShard shard = read.shard(key, v.routing());
        if (shard == null) {
            return null;
        }
        ShardLocation at = shard.location();
        ShardTarget t = targets.get(at);
        if (t == null) {
            t = engine.target(sql, at);
            targets.put(at, t);
        }
        routed.increment();
        return t;
    }
}
