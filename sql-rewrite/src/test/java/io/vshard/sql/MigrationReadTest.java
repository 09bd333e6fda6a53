package io.vshard.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Fan-out reads during a migration: the per-shard statements return the shard key (and group aggregates by
 * it), the merge carries the placement check, and of the copies of a row exactly the one the placement
 * function names is kept. Outside a migration nothing changes.
 */
class MigrationReadTest {
    private static final SqlRouter ROUTER = Fixtures.router();
    private static final CohortState[] STATES = CohortState.values();

    /** v1 → v2 with cohort i (old shard i, every creator) in state {@code states[i % states.length]}. */
    private static RoutingState migrating(CohortState... states) {
        List<Cohort> cohorts = new ArrayList<>();
        Map<Integer, CohortState> at = new HashMap<>();
        for (int shard = 0; shard < 64; shard++) {
            cohorts.add(new Cohort(shard + 1, shard, 0, Long.MAX_VALUE, 10, shard == 0));
            at.put(shard + 1, states[shard % states.length]);
        }
        return RoutingState.migrating(Fixtures.V1, Fixtures.V2, new CohortMap(cohorts, at));
    }

    private static RoutePlan.Sharded plan(String sql, RoutingState state) {
        return (RoutePlan.Sharded) ROUTER.plan(sql, List.of(), state);
    }

    @Test
    void outsideAMigrationScatterReadsAreUnchanged() {
        for (String sql : List.of(
                "SELECT COUNT(*), SUM(likes) FROM posts",
                "SELECT id FROM posts ORDER BY id LIMIT 5",
                "SELECT title, COUNT(*) FROM posts GROUP BY title",
                "SELECT id FROM posts UNION ALL SELECT id FROM comments")) {
            RoutePlan.Sharded p = plan(sql, Fixtures.STABLE);
            assertThat(p.merge().placement()).as(sql).isNull();
            assertThat(p.statements()).as(sql).allSatisfy(s -> assertThat(s.sql())
                    .isEqualTo(sql));
        }
    }

    @Test
    void duringAMigrationEachShardReturnsTheKeyAndAggregatesPerKey() {
        RoutingState state = migrating(CohortState.COPYING, CohortState.NEW);
        Map<String, String> expected = Map.of(
                "SELECT COUNT(*), SUM(likes) FROM posts",
                "SELECT COUNT(*), SUM(likes), creator_id FROM posts GROUP BY creator_id",
                "SELECT title, AVG(likes) FROM posts p GROUP BY title ORDER BY title LIMIT 3",
                "SELECT title, SUM(likes), COUNT(likes), p.creator_id FROM posts p GROUP BY title, p.creator_id"
                        + " ORDER BY title LIMIT 9223372036854775807",
                "SELECT id FROM posts ORDER BY created_at DESC LIMIT 5 OFFSET 2",
                "SELECT id, created_at, creator_id FROM posts ORDER BY created_at DESC LIMIT 9223372036854775807"
                        + " OFFSET 0",
                "SELECT DISTINCT title FROM posts WHERE likes > 3",
                "SELECT DISTINCT title, creator_id FROM posts WHERE likes > 3",
                "SELECT c.title, COUNT(*) FROM posts p JOIN comments c ON p.creator_id = c.creator_id GROUP BY c.title",
                "SELECT c.title, COUNT(*), p.creator_id FROM posts p JOIN comments c ON p.creator_id = c.creator_id"
                        + " GROUP BY c.title, p.creator_id",
                "SELECT SUM(amount) FROM payments",
                "SELECT SUM(amount), creator_id, week FROM payments GROUP BY creator_id, week");
        expected.forEach((sql, shardSql) -> {
            RoutePlan.Sharded p = plan(sql, state);
            assertThat(p.statements()).as(sql).hasSize(64 + 128);
            assertThat(p.statements().get(0).sql()).as(sql).isEqualTo(shardSql);
            assertThat(p.merge().placement()).as(sql).isNotNull();
        });
        Merge avg = plan("SELECT title, AVG(likes) FROM posts p GROUP BY title ORDER BY title LIMIT 3", state)
                .merge();
        assertThat(avg.visibleColumns()).isEqualTo(2);
        assertThat(avg.placement().creatorColumn()).isEqualTo(3);
        assertThat(avg.limit()).isEqualTo(3);
        Merge star = plan("SELECT * FROM profiles ORDER BY name", state).merge().resolve(10);
        assertThat(star.visibleColumns()).isEqualTo(7);
        assertThat(star.orderBy().get(0).column()).isEqualTo(7);
        assertThat(star.placement().creatorColumn()).isEqualTo(8);
        assertThat(star.placement().regionColumn()).isEqualTo(9);
    }

    @Test
    void shapesThatCannotBeCheckedPerRowAreRefusedOnlyDuringAMigration() {
        RoutingState state = migrating(CohortState.NEW);
        for (String sql : List.of(
                "SELECT id FROM posts UNION ALL SELECT id FROM comments",
                "SELECT n FROM (SELECT COUNT(*) AS n FROM posts) t",
                "WITH t AS (SELECT id FROM posts) SELECT id FROM t")) {
            assertThat(ROUTER.plan(sql, List.of(), Fixtures.STABLE)).as(sql).isInstanceOf(RoutePlan.Sharded.class);
            assertThatThrownBy(() -> ROUTER.plan(sql, List.of(), state))
                    .as(sql)
                    .isInstanceOfSatisfying(RoutingException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("0A000");
                        assertThat(e.getMessage()).contains("during a migration");
                    });
        }
    }

    @Test
    void aPointReadStaysOnOneShardDuringAMigration() {
        RoutePlan.Sharded p = plan("SELECT title FROM posts WHERE creator_id = 7", migrating(CohortState.NEW));
        assertThat(p.statements()).hasSize(1);
        assertThat(p.statements().get(0).sql()).isEqualTo("SELECT title FROM posts WHERE creator_id = 7");
        assertThat(p.merge().placement()).isNull();
    }

    /**
     * Whatever the cohort's state, a row present at its old place and (copied) at its new place is kept at
     * exactly one of them: the one the placement function serves reads from.
     */
    @Property
    void ofTheCopiesOfARowExactlyOneIsKept(
            @ForAll @LongRange(min = 0, max = 1_000_000) long creator,
            @ForAll @IntRange(min = 0, max = 5) int stateIndex,
            @ForAll @IntRange(min = 44, max = 50) int week) {
        RoutingState state = migrating(STATES[stateIndex]);
        RoutePlan.Sharded p = plan("SELECT amount FROM payments", state);
        PlacementFilter filter = p.merge().placement().resolve(3);
        WindowId window = WindowId.parse("2025_W" + week);
        Object[] row = {java.math.BigDecimal.ONE, creator, window.toString()};
        ShardKey key = ShardKey.of(creator);
        ShardLocation old = Placement.shardsOf(state.active(), key).get(0).location();
        ShardLocation copy = Placement.shardsOf(state.next(), key).get(0).location();
        int kept = (filter.keeps(row, old) ? 1 : 0) + (filter.keeps(row, copy) ? 1 : 0);
        assertThat(kept).isEqualTo(1);
        LogicalShard served = Placement.locate(state, p.merge().placement().table(), key, window)
                .writeTarget();
        assertThat(filter.keeps(row, served.location())).isTrue();
        boolean onNew = week >= 47 || STATES[stateIndex].servedByNew();
        assertThat(served.version()).isEqualTo(onNew ? 2 : 1);
    }

    @Test
    void aRowWhoseWindowIsNoWindowIdIsKeptWhereItWasFound() {
        RoutingState state = migrating(CohortState.NEW);
        PlacementFilter filter =
                plan("SELECT amount FROM payments", state).merge().placement().resolve(3);
        ShardKey key = ShardKey.of(7);
        ShardLocation old = Placement.shardsOf(state.active(), key).get(0).location();
        ShardLocation copy = Placement.shardsOf(state.next(), key).get(0).location();
        Object[] written = {java.math.BigDecimal.ONE, 7L, "week 47"};
        assertThat(filter.keeps(written, old)).isTrue();
        assertThat(filter.keeps(written, copy)).isTrue();
        Object[] placed = {java.math.BigDecimal.ONE, 7L, "2025_W44"};
        assertThat(filter.keeps(placed, old)).isNotEqualTo(filter.keeps(placed, copy));
    }
}
