package io.vshard.engine;

import io.vshard.engine.merge.ColumnInfo;
import io.vshard.engine.merge.ListSource;
import io.vshard.engine.merge.RowMetaData;
import io.vshard.engine.merge.RowResultSet;
import io.vshard.sql.Merge;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.ShardStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code EXPLAIN ROUTE <statement>}: what the router would do with a statement, one row per target, without
 * running it. The plan comes from the same router and placement function as execution.
 */
final class RouteExplainer {
    private RouteExplainer() {}

    static ResultSet explain(Engine engine, String statement) throws SQLException {
        RoutePlan plan = engine.plan(statement, List.of());
        List<Object[]> rows = new ArrayList<>();
        if (plan instanceof RoutePlan.Sharded s) {
            String kind = s.statements().size() == 1
                    ? "single shard"
                    : "fan-out (" + s.statements().size() + ")";
            for (ShardStatement st : s.statements()) {
                rows.add(row(kind, st, describe(s.merge()) + (s.writesHeld() ? "; cohort fenced: writes wait" : "")));
            }
        } else if (plan instanceof RoutePlan.GuardedUpdate g) {
            rows.add(row("guarded update", g.guarded(), "0 rows changed: check the other shards by primary key"));
            for (ShardStatement st : g.existenceChecks()) {
                rows.add(row("existence check", st, ""));
            }
        } else if (plan instanceof RoutePlan.DefaultShard d) {
            rows.add(new Object[] {
                "default shard", null, null, engine.config().defaultShard().toString(), d.sql(), ""
            });
        } else if (plan instanceof RoutePlan.EveryShard e) {
            rows.add(new Object[] {
                e.ddl() ? "every shard (DDL)" : "every shard", null, null, "all live shards", e.sql(), ""
            });
        } else {
            rows.add(new Object[] {
                plan.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT), null, null, "", statement, ""
            });
        }
        return new RowResultSet(
                new ListSource(rows),
                new RowMetaData(List.of(
                        ColumnInfo.computed("route", Types.VARCHAR, "text", String.class.getName()),
                        ColumnInfo.computed("version", Types.INTEGER, "int4", Integer.class.getName()),
                        ColumnInfo.computed("shard", Types.INTEGER, "int4", Integer.class.getName()),
                        ColumnInfo.computed("location", Types.VARCHAR, "text", String.class.getName()),
                        ColumnInfo.computed("sql", Types.VARCHAR, "text", String.class.getName()),
                        ColumnInfo.computed("merge", Types.VARCHAR, "text", String.class.getName()))));
    }

    private static Object[] row(String kind, ShardStatement st, String merge) {
        return new Object[] {
            kind,
            st.shard().version(),
            st.shard().shard(),
            st.shard().location().toString(),
            st.sql(),
            merge
        };
    }

    private static String describe(Merge m) {
        if (m.equals(Merge.NONE) || m.isConcatenation()) {
            return m.equals(Merge.NONE) ? "" : "concatenate";
        }
        List<String> parts = new ArrayList<>();
        if (m.placement() != null) {
            parts.add("keep each row only where the placement function serves it (migration: copies at two places)");
        }
        if (!m.orderBy().isEmpty()) {
            parts.add("k-way merge on " + m.orderBy().size() + " sort key(s)");
        }
        if (!m.groupBy().isEmpty() || !m.aggregates().isEmpty()) {
            parts.add("aggregate "
                    + m.aggregates().stream().map(a -> a.function().name()).toList()
                    + (m.groupBy().isEmpty() ? "" : " by " + m.groupBy().size() + " column(s)"));
        }
        if (m.distinct()) {
            parts.add("distinct");
        }
        if (m.offset() > 0 || m.limit() >= 0) {
            parts.add("offset " + m.offset() + (m.limit() >= 0 ? " limit " + m.limit() : ""));
        }
        return String.join(", ", parts);
    }
}
