package io.vshard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.route.KeyedRead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A read planned once per prepared statement gives, for every key value, the shard the full plan gives; every
 * statement whose plan is more than "this text on one parameter's shard" gets no keyed read.
 */
class KeyedReadTest {
    private static final SqlRouter ROUTER = Fixtures.router();

    @Test
    void pointSelectsAreKeyedByTheirShardKeyParameter() {
        assertThat(ROUTER.keyedRead("SELECT c FROM posts WHERE creator_id = ?").parameter())
                .isZero();
        assertThat(ROUTER.keyedRead("SELECT c FROM posts WHERE title = ? AND creator_id = ? AND id > ?")
                        .parameter())
                .isEqualTo(1);
        assertThat(ROUTER.keyedRead("SELECT c FROM posts WHERE creator_id = $2 AND title = $1")
                        .parameter())
                .isEqualTo(1);
    }

    @Test
    void everythingElseIsPlannedPerExecution() {
        for (String sql : List.of(
                "SELECT c FROM posts WHERE creator_id = 5", // a literal key
                "SELECT c FROM posts WHERE creator_id = ? OR creator_id = ?",
                "SELECT c FROM posts WHERE creator_id IN (?, ?)",
                "SELECT c FROM posts WHERE creator_id = -?",
                "SELECT c FROM posts WHERE id = ?", // no key: every shard
                "SELECT c FROM payments WHERE creator_id = ? AND week = ?", // a window
                "SELECT c FROM profiles WHERE creator_id = ? AND region = ?", // a region
                "SELECT v FROM app_settings WHERE k = ?",
                "UPDATE posts SET title = ? WHERE creator_id = ?",
                "DELETE FROM posts WHERE creator_id = ?",
                "INSERT INTO posts (id, creator_id) VALUES (?, ?)",
                "EXPLAIN SELECT c FROM posts WHERE creator_id = ?",
                "BEGIN",
                "")) {
            assertThat(ROUTER.keyedRead(sql)).as(sql).isNull();
        }
    }

    @Test
    void statementsNamingNoShardedOrBroadcastTablePlanTheSameForAnyParameters() {
        for (String sql : List.of(
                "SELECT v FROM app_settings WHERE k = ?",
                "SELECT abalance FROM pgbench_accounts WHERE aid = ?",
                "SELECT 'posts', 1 -- comments",
                "SELECT 1")) {
            assertThat(ROUTER.namesRuleTable(sql)).as(sql).isFalse();
            RoutePlan one = ROUTER.plan(sql, Arrays.asList(1L), Fixtures.STABLE);
            RoutePlan other = ROUTER.plan(sql, Arrays.asList("x"), halfMoved());
            assertThat(one).as(sql).isInstanceOf(RoutePlan.DefaultShard.class);
            assertThat(other).as(sql).isInstanceOf(RoutePlan.DefaultShard.class);
        }
        for (String sql : List.of(
                "SELECT c FROM posts WHERE id = ?",
                "SELECT name FROM countries WHERE code = ?",
                "SELECT c FROM payments p JOIN app_settings s ON s.k = p.title WHERE p.creator_id = ?")) {
            assertThat(ROUTER.namesRuleTable(sql)).as(sql).isTrue();
        }
    }

    @Test
    void theShardIsThePlansShardForEveryKey() {
        String sql = "SELECT id, title FROM posts WHERE title = ? AND creator_id = ?";
        KeyedRead read = ROUTER.keyedRead(sql);
        for (RoutingState state : List.of(Fixtures.STABLE, halfMoved())) {
            for (Object key : List.of(0L, 1L, 63L, 64L, 65L, 1_000_003L, 7, "129", Long.MAX_VALUE, -5L)) {
                RoutePlan.Sharded p = (RoutePlan.Sharded) ROUTER.plan(sql, Arrays.asList("t", key), state);
                LogicalShard shard = read.shard(key, state);
                if (p.statements().size() == 1) {
                    assertThat(shard)
                            .as("key %s", key)
                            .isEqualTo(p.statements().get(0).shard());
                    assertThat(p.statements().get(0).sql()).isEqualTo(sql);
                } else {
                    assertThat(shard).as("key %s in two places", key).isNull();
                }
            }
        }
        assertThat(read.shard(null, Fixtures.STABLE)).as("a NULL key scatters").isNull();
        assertThat(read.shard("not a number", Fixtures.STABLE)).isNull();
    }

    /** v1 -> v2 with the cohorts in every state, so some keys have two candidate shards. */
    private static RoutingState halfMoved() {
        CohortState[] states = CohortState.values();
        List<Cohort> cohorts = new ArrayList<>();
        Map<Integer, CohortState> at = new HashMap<>();
        for (int shard = 0; shard < 64; shard++) {
            cohorts.add(new Cohort(shard + 1, shard, 0, Long.MAX_VALUE, 10, shard == 0));
            at.put(shard + 1, states[shard % states.length]);
        }
        return RoutingState.migrating(Fixtures.V1, Fixtures.V2, new CohortMap(cohorts, at));
    }
}
