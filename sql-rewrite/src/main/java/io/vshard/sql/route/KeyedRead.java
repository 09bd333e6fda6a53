package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.InvalidShardKeyException;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import java.util.List;

/**
 * A read whose shard one parameter decides: its key condition is a single {@code creator = ?} (no region, window,
 * array or OR), so the router's plan for any parameter values is the statement unchanged on the shards
 * {@link Placement#locate} gives for that parameter's value. Lets a front end that runs the same prepared
 * statement many times decode only that parameter and call the placement function, instead of planning each
 * execution. Immutable, thread safe.
 */
public final class KeyedRead {
    private final int parameter;
    private final List<TableRule> sharded;

    KeyedRead(int parameter, List<TableRule> sharded) {
        this.parameter = parameter;
        this.sharded = List.copyOf(sharded);
    }

    /** The 0-based index of the parameter holding the shard key. */
    public int parameter() {
        return parameter;
    }

    /**
     * The one logical shard the router's plan would run the read on when parameter {@link #parameter()} is
     * {@code value}, or {@code null} when the plan would not be exactly one shard (a NULL key scatters, a cohort
     * in two places) or the value is no valid shard key (the router reports that).
     */
    public LogicalShard shard(Object value, RoutingState state) {
        ShardKey key = keyOf(value);
        if (key == null) {
            return null;
        }
        if (state.next() == null && !sharded.isEmpty()) {
            // No migration's layout: Placement.locate gives every table the active layout's shards of the key.
            LogicalShard active = Placement.onlyShardOf(state.active(), key);
            if (active != null) {
                return active;
            }
        }
        LogicalShard only = null;
        for (TableRule rule : sharded) {
            for (LogicalShard s : Placement.locate(state, rule, key, null).candidates()) {
                if (only == null) {
                    only = s;
                } else if (!only.equals(s)) {
                    return null;
                }
            }
        }
        return only;
    }

    /**
     * The shard key a parameter value names, or {@code null} for NULL or a value that is no valid creator id (the
     * full plan then refuses or scatters the statement, and says why).
     */
    static ShardKey keyOf(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return ShardKey.of(ShardKey.creatorIdOf(value), null);
        } catch (InvalidShardKeyException e) {
            return null;
        }
    }
}
