package io.vshard.sql;

import io.vshard.manifest.placement.LogicalShard;
import java.util.List;

/**
 * One statement to run on one logical shard.
 *
 * @param shard the target, as the placement function chose it
 * @param sql the text: the application's text unchanged when one shard suffices, else a rewrite
 * @param parameters positional parameter values for {@code sql}, in order ({@code $n} already mapped)
 * @param touchedKeys the shard keys this statement writes (for the routing-metadata journal); empty for reads
 */
public record ShardStatement(LogicalShard shard, String sql, List<Object> parameters, List<TouchedKey> touchedKeys) {
    public ShardStatement {
        parameters = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(parameters));
        touchedKeys = List.copyOf(touchedKeys);
    }
}
