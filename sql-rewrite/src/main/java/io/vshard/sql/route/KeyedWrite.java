package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.TouchedKey;

/**
 * A single-row INSERT into a sharded table whose creator is one parameter (no region or window column, no
 * SELECT): the router's plan for any parameter values is the statement unchanged on the write target
 * {@link Placement#locate} gives for that parameter's value, touching that one key. Lets a front end that runs
 * the same prepared INSERT many times call the placement function instead of planning each execution.
 * Immutable, thread safe.
 */
public final class KeyedWrite {
    private final int parameter;
    private final TableRule table;

    KeyedWrite(int parameter, TableRule table) {
        this.parameter = parameter;
        this.table = table;
    }

    /** The 0-based index of the parameter holding the shard key. */
    public int parameter() {
        return parameter;
    }

    /**
     * The shard the router's plan writes the row to when parameter {@link #parameter()} is {@code value}, or
     * {@code null} when the plan would not be a plain write there: a NULL or invalid key (the router refuses
     * it), no write target, or the key's cohort is fenced (the router holds the write).
     */
    public LogicalShard shard(Object value, RoutingState state) {
        ShardKey key = KeyedRead.keyOf(value);
        if (key == null) {
            return null;
        }
        if (state.next() == null) {
            // No migration's layout: Placement.locate's write target is the active layout's one shard of the key.
            LogicalShard active = Placement.onlyShardOf(state.active(), key);
            if (active != null) {
                return active;
            }
        }
        Place place = Placement.locate(state, table, key, null);
        return place.writesHeld() ? null : place.writeTarget();
    }

    /** The key the write touches, for the routing-metadata journal; {@code value} is one {@link #shard} placed. */
    public TouchedKey touched(Object value) {
        return new TouchedKey(table.name(), ShardKey.creatorIdOf(value), null, null);
    }
}
