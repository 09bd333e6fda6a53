package io.vshard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.placement.Placement;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of routing: it agrees with the placement function, and IN-list splits lose nothing. */
class RouteProperties {
    private static final SqlRouter ROUTER = Fixtures.router();
    private static final TableRules RULES = Fixtures.RULES;
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    private static LogicalShard expected(long key) {
        return Placement.locate(Fixtures.STABLE, RULES.find("posts"), ShardKey.of(key), null)
                .writeTarget();
    }

    @Property
    void aKeyRoutesWhereThePlacementFunctionPutsItInEveryForm(@ForAll long key, @ForAll @IntRange(max = 4) int form) {
        String sql;
        List<Object> params = new ArrayList<>();
        switch (form) {
            case 0 -> sql = "SELECT * FROM posts WHERE creator_id = " + key;
            case 1 -> sql = "SELECT * FROM posts WHERE creator_id = '" + key + "'";
            case 2 -> {
                sql = "SELECT * FROM posts WHERE creator_id = ?";
                params.add(key);
            }
            case 3 -> {
                sql = "UPDATE posts SET title = $2 WHERE creator_id = $1::bigint";
                params.add(String.valueOf(key));
                params.add("t");
            }
            default -> {
                sql = "INSERT INTO posts (id, creator_id) VALUES (1, ?)";
                params.add(new BigDecimal(key).setScale(2));
            }
        }
        RoutePlan.Sharded plan = (RoutePlan.Sharded) ROUTER.plan(sql, params, Fixtures.STABLE);
        assertThat(plan.statements()).singleElement().satisfies(s -> {
            assertThat(s.shard()).isEqualTo(expected(key));
            assertThat(s.sql()).isEqualTo(sql);
            assertThat(s.parameters()).isEqualTo(params);
        });
    }

    @Property
    void inListsSplitIntoPerShardListsWhoseUnionIsTheOriginal(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -1000, max = 1000) Integer> keys,
            @ForAll boolean literals) {
        StringBuilder in = new StringBuilder();
        List<Object> params = new ArrayList<>();
        for (int k : keys) {
            in.append(in.length() == 0 ? "" : ", ").append(literals ? Integer.toString(k) : "?");
            if (!literals) {
                params.add((long) k);
            }
        }
        String sql = "SELECT id FROM posts WHERE creator_id IN (" + in + ")";
        RoutePlan.Sharded plan = (RoutePlan.Sharded) ROUTER.plan(sql, params, Fixtures.STABLE);
        List<Long> union = new ArrayList<>();
        Set<LogicalShard> shards = new HashSet<>();
        for (ShardStatement s : plan.statements()) {
            assertThat(shards.add(s.shard())).isTrue();
            List<Long> values = new ArrayList<>();
            if (literals) {
                Matcher m = NUMBER.matcher(s.sql().substring(s.sql().indexOf("IN (")));
                while (m.find()) {
                    values.add(Long.parseLong(m.group()));
                }
            } else {
                s.parameters().forEach(p -> values.add((Long) p));
            }
            assertThat(values).isNotEmpty().allSatisfy(v -> assertThat(expected(v))
                    .isEqualTo(s.shard()));
            union.addAll(values);
        }
        assertThat(union)
                .containsExactlyInAnyOrderElementsOf(
                        keys.stream().map(Integer::longValue).toList());
    }
}
