package io.vshard.sql;

import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.placement.RoutingState;
import java.util.List;

/**
 * Turns an application's SQL text and parameters into a {@link RoutePlan}. Thread safe; holds the parse
 * cache. The placement function decides every shard.
 */
public final class SqlRouter {
    private final TableRules rules;

    /**
     * Creates a router.
     *
     * @param rules the table rules
     * @param cacheEntries the parse cache size
     */
    public SqlRouter(TableRules rules, long cacheEntries) {
        this.rules = rules;
    }

    /**
     * Splits text holding several statements (separated by {@code ;} outside quotes and comments).
     *
     * @return the statements, without the separators, empty statements dropped
     */
    public List<String> split(String sql) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Plans one statement.
     *
     * @param sql one statement (PostgreSQL {@code $n} or JDBC {@code ?} parameters)
     * @param parameters the bound parameter values, in order
     * @param state the routing state to resolve keys through
     * @throws RoutingException with SQLSTATE 42601 or 0A000 when the statement cannot be routed
     */
    public RoutePlan plan(String sql, List<Object> parameters, RoutingState state) {
        throw new UnsupportedOperationException(
                "not yet implemented: " + rules.all().size());
    }
}
