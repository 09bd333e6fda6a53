package io.vshard.engine.merge;

import io.vshard.sql.Merge.Aggregate;
import io.vshard.sql.Merge.Function;
import io.vshard.sql.Merge.SortKey;
import java.math.MathContext;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Combines per-shard partial aggregates: COUNT and SUM add up, MIN and MAX compare, AVG divides the summed
 * SUM column by the summed hidden COUNT column. It holds one row per group until its input ends (memory
 * grows with the number of groups), then sorts the groups when the statement has an ORDER BY.
 */
public final class AggregateSource implements RowSource {
    private final RowSource in;
    private final List<Integer> groupBy;
    private final List<Aggregate> aggregates;
    private final List<SortKey> orderBy;
    private final int width;
    private RowSource out;

    /** Aggregates {@code in} by {@code groupBy}, then sorts by {@code orderBy}. */
    public AggregateSource(RowSource in, List<Integer> groupBy, List<Aggregate> aggregates, List<SortKey> orderBy) {
        this(in, groupBy, aggregates, orderBy, -1);
    }

    /**
     * As above; {@code width} (the row width, or -1) lets an aggregate without GROUP BY whose input is empty
     * give SQL's one row (COUNT 0, the others NULL): per-key partials of an empty table are no rows at all.
     */
    public AggregateSource(
            RowSource in, List<Integer> groupBy, List<Aggregate> aggregates, List<SortKey> orderBy, int width) {
        this.in = in;
        this.groupBy = List.copyOf(groupBy);
        this.aggregates = List.copyOf(aggregates);
        this.orderBy = List.copyOf(orderBy);
        this.width = width;
    }

    @Override
    public Object[] next() throws SQLException {
        if (out == null) {
            out = new ListSource(groups());
        }
        return out.next();
    }

    private List<Object[]> groups() throws SQLException {
        Set<Integer> summed = new LinkedHashSet<>();
        for (Aggregate a : aggregates) {
            if (a.function() != Function.MIN && a.function() != Function.MAX) {
                summed.add(a.column());
            }
            if (a.function() == Function.AVG && a.countColumn() >= 0) {
                summed.add(a.countColumn());
            }
        }
        Map<List<Object>, Object[]> groups = new LinkedHashMap<>();
        for (Object[] row = in.next(); row != null; row = in.next()) {
            Object[] key = new Object[groupBy.size()];
            for (int i = 0; i < key.length; i++) {
                key[i] = Groups.normalize(row[groupBy.get(i)]);
            }
            Object[] acc = groups.putIfAbsent(Arrays.asList(key), row);
            if (acc == null) {
                continue;
            }
            for (int c : summed) {
                acc[c] = Values.add(acc[c], row[c]);
            }
            for (Aggregate a : aggregates) {
                int c = a.column();
                if ((a.function() == Function.MIN || a.function() == Function.MAX) && row[c] != null) {
                    int cmp = acc[c] == null ? 1 : Values.compare(row[c], acc[c]);
                    if (a.function() == Function.MIN ? cmp < 0 : cmp > 0) {
                        acc[c] = row[c];
                    }
                }
            }
        }
        List<Object[]> rows = new ArrayList<>(groups.values());
        if (rows.isEmpty() && groupBy.isEmpty() && !aggregates.isEmpty() && width > 0) {
            Object[] none = new Object[width];
            for (Aggregate a : aggregates) {
                if (a.function() == Function.COUNT) {
                    none[a.column()] = 0L;
                }
            }
            rows.add(none);
        }
        for (Object[] r : rows) {
            for (Aggregate a : aggregates) {
                if (a.function() == Function.AVG) {
                    r[a.column()] = average(r[a.column()], a.countColumn() < 0 ? null : r[a.countColumn()]);
                }
            }
        }
        if (!orderBy.isEmpty()) {
            rows.sort(Values.comparator(orderBy));
        }
        return rows;
    }

    private static Object average(Object sum, Object count) {
        if (sum == null || count == null || ((Number) count).longValue() == 0) {
            return null;
        }
        if (sum instanceof Double || sum instanceof Float) {
            return ((Number) sum).doubleValue() / ((Number) count).doubleValue();
        }
        return Values.decimal((Number) sum).divide(Values.decimal((Number) count), MathContext.DECIMAL64);
    }

    @Override
    public void close() throws SQLException {
        in.close();
    }
}
