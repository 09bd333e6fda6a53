package io.vshard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.route.KeyedWrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A single-row INSERT planned once per prepared statement gives, for every key value, the write target and the
 * touched key the full plan gives, and nothing where the full plan holds, refuses or splits the write.
 */
class KeyedWriteTest {
    private static final SqlRouter ROUTER = Fixtures.router();

    @Test
    void singleRowInsertsAreKeyedByTheirShardKeyParameter() {
        assertThat(ROUTER.keyedWrite("INSERT INTO posts (id, creator_id) VALUES (?, ?)")
                        .parameter())
                .isEqualTo(1);
        assertThat(ROUTER.keyedWrite("INSERT INTO posts (creator_id, id, title) VALUES (?, ?, ?)")
                        .parameter())
                .isZero();
        assertThat(ROUTER.keyedWrite("INSERT INTO posts (id, creator_id) VALUES ($2, $1)")
                        .parameter())
                .isZero();
    }

    @Test
    void everythingElseIsPlannedPerExecution() {
        for (String sql : List.of(
                "INSERT INTO posts (id, creator_id) VALUES (?, 5)", // a literal key
                "INSERT INTO posts (id, creator_id) VALUES (?, -?)",
                "INSERT INTO posts (id, creator_id) VALUES (?, ? + 1)",
                "INSERT INTO posts (id, creator_id) VALUES (?, ?), (?, ?)",
                "INSERT INTO posts (id, creator_id) SELECT id, creator_id FROM posts WHERE creator_id = ?",
                "INSERT INTO payments (id, creator_id, week) VALUES (?, ?, ?)", // a window
                "INSERT INTO profiles (id, creator_id, region) VALUES (?, ?, ?)", // a region
                "INSERT INTO app_settings (k, v) VALUES (?, ?)",
                "INSERT INTO countries (code, name) VALUES (?, ?)",
                "UPDATE posts SET title = ? WHERE creator_id = ?",
                "DELETE FROM posts WHERE creator_id = ?",
                "SELECT c FROM posts WHERE creator_id = ?",
                "EXPLAIN INSERT INTO posts (id, creator_id) VALUES (?, ?)",
                "BEGIN",
                "")) {
            assertThat(ROUTER.keyedWrite(sql)).as(sql).isNull();
        }
    }

    @Test
    void theShardIsThePlansWriteTargetForEveryKey() {
        String sql = "INSERT INTO posts (title, creator_id, id) VALUES (?, ?, ?)";
        KeyedWrite write = ROUTER.keyedWrite(sql);
        for (RoutingState state : List.of(Fixtures.STABLE, halfMoved())) {
            for (Object key : List.of(0L, 1L, 63L, 64L, 65L, 1_000_003L, 7, "129", Long.MAX_VALUE)) {
                RoutePlan.Sharded p = (RoutePlan.Sharded) ROUTER.plan(sql, Arrays.asList("t", key, 9L), state);
                LogicalShard shard = write.shard(key, state);
                if (p.writesHeld()) {
                    assertThat(shard).as("key %s: the write is held", key).isNull();
                    continue;
                }
                ShardStatement planned = p.statements().get(0);
                assertThat(p.statements()).hasSize(1);
                assertThat(shard).as("key %s", key).isEqualTo(planned.shard());
                assertThat(planned.sql()).isEqualTo(sql);
                assertThat(List.of(write.touched(key))).isEqualTo(planned.touchedKeys());
            }
        }
        assertThat(write.shard(null, Fixtures.STABLE))
                .as("the router refuses a NULL key")
                .isNull();
        assertThat(write.shard("not a number", Fixtures.STABLE)).isNull();
    }

    /** v1 -> v2 with the cohorts in every state, so some keys' writes are held. */
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
