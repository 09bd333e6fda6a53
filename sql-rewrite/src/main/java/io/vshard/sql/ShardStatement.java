package io.vshard.sql;

import io.vshard.manifest.placement.LogicalShard;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One statement to run on one logical shard.
 *
 * @param shard the target, as the placement function chose it
 * @param sql the text: the application's text unchanged when one shard suffices, else a rewrite; with
 *     {@code schemaQualified}, its sharded and broadcast tables carry the shard's schema
 * @param parameters positional parameter values for {@code sql}, in order ({@code $n} already mapped)
 * @param touchedKeys the shard keys this statement writes (for the routing-metadata journal); empty for reads
 * @param schemaQualified whether every table reference of {@code sql} names the shard's schema, so the
 *     connection need not be pointed at it
 */
public record ShardStatement(
        LogicalShard shard,
        String sql,
        List<Object> parameters,
        List<TouchedKey> touchedKeys,
        boolean schemaQualified) {
    public ShardStatement {
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
        touchedKeys = List.copyOf(touchedKeys);
    }

    /** A statement whose text relies on the connection's schema. */
    public ShardStatement(LogicalShard shard, String sql, List<Object> parameters, List<TouchedKey> touchedKeys) {
        this(shard, sql, parameters, touchedKeys, false);
    }

    /** This statement with its tables qualified, as {@code qualifiedSql}. */
    public ShardStatement qualified(String qualifiedSql) {
        return new ShardStatement(shard, qualifiedSql, parameters, touchedKeys, true);
    }
}
