package io.vshard.sql.route;

import io.vshard.manifest.config.TableRule;
import java.util.List;

/**
 * What routing needs from one parsed statement, in terms of slots so that it holds for every statement with
 * the same cache key. Immutable; cached.
 *
 * @param sharded the sharded tables the statement reads or writes
 * @param broadcast whether it names a broadcast table
 * @param target the table a write modifies, or {@code null} (reads, or a table without a rule)
 * @param targetName the written table's name as written, or {@code null}
 * @param cond the key condition (reads: the whole query; UPDATE/DELETE: the WHERE)
 * @param touchesSharded whether the key condition concerns a sharded table at all
 * @param rows INSERT rows (VALUES rows, or one row for INSERT ... SELECT), else empty
 * @param insertSelect for INSERT ... SELECT, the query's own condition and whether it reads a sharded table
 * @param setCreator for UPDATE, the value the SET clause gives the creator column, or {@code null}
 * @param setsCreatorExpression whether the SET clause gives the creator column a computed value
 * @param primaryKey for UPDATE, the primary-key value the WHERE clause pins, or {@code null}
 * @param select the fan-out facts of a query, or {@code null}
 */
record Analysis(
        List<TableRule> sharded,
        boolean broadcast,
        TableRule target,
        String targetName,
        Cond cond,
        boolean touchesSharded,
        List<InsertRow> rows,
        Cond insertSelect,
        ValueRef setCreator,
        boolean setsCreatorExpression,
        ValueRef primaryKey,
        SelectShape select) {

    /**
     * One inserted row's shard-key values; {@code creator == null} when the row computes it.
     *
     * @param creator the creator value
     * @param region the region value, or {@code null}
     * @param window the window value, or {@code null}
     * @param creatorFromSource for INSERT ... SELECT, whether the row copies a creator column of what it reads
     */
    record InsertRow(ValueRef creator, ValueRef region, ValueRef window, boolean creatorFromSource) {}
}
