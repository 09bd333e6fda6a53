package io.vshard.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.Verification;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.Merge;
import io.vshard.sql.Merge.Aggregate;
import io.vshard.sql.Merge.Function;
import io.vshard.sql.Merge.SortKey;
import io.vshard.sql.PlacementFilter;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MergeSourcesTest {

    private static RowSource rows(Object[]... rows) {
        return new ListSource(List.of(rows));
    }

    private static List<List<Object>> all(RowSource src) throws SQLException {
        return MergeSources.drain(src).stream().map(Arrays::asList).collect(Collectors.toList());
    }

    private static Merge merge(List<SortKey> order, long offset, long limit) {
        return new Merge(order, offset, limit, List.of(), List.of(), false, -1);
    }

    @Property(tries = 200)
    void kWayMergeEqualsSortingEverything(
            @ForAll @Size(min = 1, max = 8) List<@Size(max = 30) List<@IntRange(min = -50, max = 50) Integer>> shards,
            @ForAll @IntRange(max = 20) int offset,
            @ForAll @IntRange(min = -1, max = 40) int limit)
            throws SQLException {
        List<RowSource> sources = new ArrayList<>();
        List<Integer> everything = new ArrayList<>();
        for (List<Integer> shard : shards) {
            List<Integer> sorted = new ArrayList<>(shard);
            sorted.sort(Comparator.reverseOrder());
            everything.addAll(sorted);
            List<Object[]> r = new ArrayList<>();
            for (Integer v : sorted) {
                r.add(new Object[] {(long) v});
            }
            sources.add(new ListSource(r));
        }
        everything.sort(Comparator.reverseOrder());
        List<Object> expected = everything.stream()
                .skip(offset)
                .limit(limit < 0 ? Long.MAX_VALUE : limit)
                .map(v -> (Object) (long) v)
                .collect(Collectors.toList());
        RowSource merged = MergeSources.merge(sources, merge(List.of(new SortKey(0, true, false)), offset, limit));
        assertThat(all(merged).stream().map(r -> r.get(0)).collect(Collectors.toList()))
                .isEqualTo(expected);
    }

    @Test
    void sortsNullsWhereTheKeySays() throws SQLException {
        RowSource a = rows(new Object[] {null}, new Object[] {1}, new Object[] {3});
        RowSource b = rows(new Object[] {null}, new Object[] {2});
        RowSource m = MergeSources.merge(List.of(a, b), merge(List.of(new SortKey(0, false, true)), 0, -1));
        assertThat(all(m)).extracting(r -> r.get(0)).containsExactly(null, null, 1, 2, 3);
    }

    @Test
    void limitStopsPullingTheShards() throws SQLException {
        int[] pulled = new int[1];
        RowSource endless = new RowSource() {
            private long n;

            @Override
            public Object[] next() {
                pulled[0]++;
                return new Object[] {n++};
            }

            @Override
            public void close() {}
        };
        RowSource m = MergeSources.merge(List.of(endless), merge(List.of(new SortKey(0, false, false)), 5, 3));
        assertThat(all(m)).extracting(r -> r.get(0)).containsExactly(5L, 6L, 7L);
        assertThat(pulled[0]).isLessThanOrEqualTo(9);
    }

    @Test
    void combinesCountSumMinMaxAndAvgWithoutGroups() throws SQLException {
        // SELECT COUNT(*), SUM(x), MIN(x), MAX(x), AVG(x) [= SUM(x) and hidden COUNT(x)]
        List<Aggregate> aggs = List.of(
                new Aggregate(0, Function.COUNT, -1),
                new Aggregate(1, Function.SUM, -1),
                new Aggregate(2, Function.MIN, -1),
                new Aggregate(3, Function.MAX, -1),
                new Aggregate(4, Function.AVG, 5));
        RowSource a = rows(new Object[] {3L, 6L, 1, 3, 6L, 3L});
        RowSource b = rows(new Object[] {0L, null, null, null, null, 0L});
        RowSource c = rows(new Object[] {2L, new BigDecimal("9"), 4, 5, new BigDecimal("9"), 2L});
        RowSource m = MergeSources.merge(List.of(a, b, c), new Merge(List.of(), 0, -1, List.of(), aggs, false, 5));
        List<List<Object>> out = all(m);
        assertThat(out).hasSize(1);
        List<Object> r = out.get(0);
        assertThat(r.get(0)).isEqualTo(5L);
        assertThat((BigDecimal) r.get(1)).isEqualByComparingTo("15");
        assertThat(r.get(2)).isEqualTo(1);
        assertThat(r.get(3)).isEqualTo(5);
        assertThat((BigDecimal) r.get(4)).isEqualByComparingTo("3");
    }

    /** v1 = identity % 4 on data source "a", v2 = identity % 8 on "b"; cohort i is old shard i, all creators. */
    private static RoutingState migrating(CohortState... states) {
        List<Cohort> cohorts = new ArrayList<>();
        Map<Integer, CohortState> at = new HashMap<>();
        for (int shard = 0; shard < 4; shard++) {
            cohorts.add(new Cohort(shard + 1, shard, 0, Long.MAX_VALUE, 1, false));
            at.put(shard + 1, states[shard]);
        }
        return RoutingState.migrating(manifest(1, 4, "a"), manifest(2, 8, "b"), new CohortMap(cohorts, at));
    }

    private static Manifest manifest(int version, int shards, String dataSource) {
        return new Manifest(
                version,
                version - 1,
                new ModHash(KeyHash.IDENTITY, shards),
                List.of(new PlacementRule(0, shards - 1, dataSource, "s_%d")),
                null,
                null,
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
    }

    @Test
    void duringAMigrationPerKeyPartialsAreCountedOnlyWhereTheKeyIsServed() throws SQLException {
        // SELECT COUNT(*), SUM(x) FROM t  →  per shard: SELECT COUNT(*), SUM(x), creator_id ... GROUP BY creator_id
        RoutingState state = migrating(CohortState.NEW, CohortState.COPYING, CohortState.FENCED, CohortState.NEW);
        TableRule table = new TableRule("t", TableRule.Kind.SHARDED, "creator_id", null, null, "id");
        Map<ShardLocation, List<Object[]>> byLocation = new java.util.LinkedHashMap<>();
        long expectedCount = 0;
        long expectedSum = 0;
        for (long creator = 0; creator < 32; creator++) {
            long rows = creator % 3 + 1;
            expectedCount += rows;
            expectedSum += rows * creator;
            Object[] partial = {rows, BigDecimal.valueOf(rows * creator), creator};
            // every row sits at its old place, and a copy at its new place (copied, flipped or not)
            for (Manifest m : List.of(state.active(), state.next())) {
                ShardLocation l =
                        Placement.shardsOf(m, ShardKey.of(creator)).get(0).location();
                byLocation.computeIfAbsent(l, k -> new ArrayList<>()).add(partial.clone());
            }
        }
        List<RowSource> sources = new ArrayList<>();
        byLocation.values().forEach(r -> sources.add(copy(r)));
        List<Aggregate> aggs = List.of(new Aggregate(0, Function.COUNT, -1), new Aggregate(1, Function.SUM, -1));
        Merge merge = new Merge(
                List.of(),
                0,
                -1,
                List.of(),
                aggs,
                false,
                2,
                new PlacementFilter(state, table, 2, PlacementFilter.ABSENT, PlacementFilter.ABSENT));
        List<List<Object>> out =
                all(MergeSources.merge(sources, new ArrayList<>(byLocation.keySet()), merge.resolve(3), 3));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).get(0)).isEqualTo(expectedCount);
        assertThat((BigDecimal) out.get(0).get(1)).isEqualByComparingTo(BigDecimal.valueOf(expectedSum));
        Merge unchecked = new Merge(List.of(), 0, -1, List.of(), aggs, false, 2);
        List<RowSource> again = new ArrayList<>();
        byLocation.values().forEach(r -> again.add(copy(r)));
        assertThat(all(MergeSources.merge(again, unchecked)).get(0).get(0))
                .as("without the check every copied row counts twice")
                .isEqualTo(2 * expectedCount);
    }

    /** A fresh source of copies: the aggregate accumulates into the first row of each group. */
    private static RowSource copy(List<Object[]> rows) {
        return new ListSource(rows.stream().map(Object[]::clone).toList());
    }

    @Test
    void anAggregateOverNoPartialsIsOneRowWithCountZero() throws SQLException {
        List<Aggregate> aggs = List.of(new Aggregate(0, Function.COUNT, -1), new Aggregate(1, Function.SUM, -1));
        Merge merge = new Merge(List.of(), 0, -1, List.of(), aggs, false, 2);
        List<List<Object>> out = all(MergeSources.merge(List.of(rows(), rows()), List.of(), merge, 3));
        assertThat(out).containsExactly(Arrays.asList(0L, null, null));
    }

    @Test
    void groupsAcrossShardsThenSortsAndLimits() throws SQLException {
        // SELECT region, COUNT(*) ... GROUP BY region ORDER BY 2 DESC, 1 LIMIT 2
        List<Aggregate> aggs = List.of(new Aggregate(1, Function.COUNT, -1));
        RowSource a = rows(new Object[] {"EU", 2L}, new Object[] {"US", 1L});
        RowSource b = rows(new Object[] {"US", 4L}, new Object[] {"APAC", 2L});
        RowSource c = rows(new Object[] {"EU", 1L});
        Merge merge = new Merge(
                List.of(new SortKey(1, true, false), new SortKey(0, false, false)), 0, 2, List.of(0), aggs, false, 2);
        assertThat(all(MergeSources.merge(List.of(a, b, c), merge)))
                .containsExactly(List.of("US", 5L), List.of("EU", 3L));
    }

    @Test
    void distinctRemovesDuplicatesAcrossShardsAndNumericTypes() throws SQLException {
        RowSource a = rows(new Object[] {1, "x"}, new Object[] {2, "y"});
        RowSource b = rows(new Object[] {1L, "x"}, new Object[] {new BigDecimal("2.0"), "z"});
        Merge merge = new Merge(List.of(), 0, -1, List.of(), List.of(), true, 2);
        assertThat(all(MergeSources.merge(List.of(a, b), merge))).hasSize(3);
    }

    @Test
    void resultSetHidesMergeColumnsAndConverts() throws SQLException {
        RowMetaData meta = new RowMetaData(List.of(
                ColumnInfo.computed("id", java.sql.Types.BIGINT, "int8", Long.class.getName()),
                ColumnInfo.computed("amount", java.sql.Types.NUMERIC, "numeric", BigDecimal.class.getName())));
        RowResultSet rs = new RowResultSet(
                rows(new Object[] {7L, new BigDecimal("1.50"), "hidden"}, new Object[] {8L, null, "hidden"}), meta);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt("ID")).isEqualTo(7);
        assertThat(rs.getString(2)).isEqualTo("1.50");
        assertThat(rs.getObject(1, String.class)).isEqualTo("7");
        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBigDecimal(2)).isNull();
        assertThat(rs.wasNull()).isTrue();
        assertThat(rs.getDouble(2)).isZero();
        assertThat(rs.next()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> rs.getObject(3))
                .isInstanceOf(SQLException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> rs.updateInt(1, 2))
                .isInstanceOf(java.sql.SQLFeatureNotSupportedException.class)
                .hasMessageContaining("ResultSet.updateInt");
    }
}
