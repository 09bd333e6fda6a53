package io.vshard.engine;

import io.vshard.config.Dialect;
import io.vshard.control.RouterView;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.sql.route.KeyedRead;
import java.util.concurrent.atomic.LongAdder;

/**
 * A prepared read whose {@link DirectRoute} is planned once (see {@link Engine#directRead}): either it names no
 * sharded or broadcast table and always runs on the default shard, or one parameter's value decides its shard
 * through the placement function ({@link KeyedRead}). Each execution then costs a placement lookup at most, under
 * the same rules as {@link Engine#directRoute}: nothing bypasses the engine while a migration is published or a
 * transaction is open. Thread safe.
 */
public final class DirectRead {
    private final Engine engine;
    /** The key of a keyed read, or {@code null} when the read always runs on {@link #fixed}. */
    private final KeyedRead keyed;

    private final ShardLocation fixed;
    private final LongAdder routed;

    private DirectRead(Engine engine, KeyedRead keyed, ShardLocation fixed) {
        this.engine = engine;
        this.keyed = keyed;
        this.fixed = fixed;
        this.routed = engine.metrics().counter("direct");
    }

    static DirectRead keyed(Engine engine, KeyedRead keyed) {
        return new DirectRead(engine, keyed, null);
    }

    static DirectRead fixed(Engine engine, ShardLocation at) {
        return new DirectRead(engine, null, at);
    }

    /** The 0-based index of the parameter whose value decides the shard, or -1 when no parameter does. */
    public int keyParameter() {
        return keyed == null ? -1 : keyed.parameter();
    }

    /**
     * Where the read runs for {@code session} when the key parameter is {@code key} (ignored when
     * {@link #keyParameter()} is -1): what {@link Engine#directRoute} returns for the same statement, parameters
     * and session, or {@code null} when the caller must use the engine.
     */
    public DirectRoute route(Object key, Session session) {
        RouterView v = engine.view();
        if (Engine.migrating(v) || !session.autoCommit()) {
            return null;
        }
        ShardLocation at = fixed;
        if (keyed != null) {
            LogicalShard shard = keyed.shard(key, v.routing());
            if (shard == null) {
                return null;
            }
            at = shard.location();
        }
        DataSourcePool pool = engine.dataSources().pool(at.dataSource());
        if (pool.dialect() != Dialect.POSTGRESQL) {
            return null;
        }
        routed.increment();
        return new DirectRoute(pool.config(), at.schema(), session.settingsFor(keyed == null));
    }
}
