package io.vshard.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.RoutingState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final SqlRouter router = Fixtures.router();

    private RoutePlan.Sharded sharded(String sql, Object... params) {
        return (RoutePlan.Sharded) router.plan(sql, Arrays.asList(params), Fixtures.STABLE);
    }

    @Test
    void onePinnedShardGetsTheOriginalTextAndParameters() {
        String sql = "SELECT * FROM posts WHERE creator_id = $1::bigint FOR UPDATE SKIP LOCKED";
        RoutePlan.Sharded p = sharded(sql, 70L);
        assertThat(p.statements()).singleElement().satisfies(s -> {
            assertThat(s.sql()).isEqualTo(sql);
            assertThat(s.parameters()).containsExactly(70L);
            assertThat(s.shard().shard()).isEqualTo(6);
            assertThat(s.shard().location().schema()).isEqualTo("shard_006");
        });
        assertThat(p.merge()).isEqualTo(Merge.NONE);
    }

    @Test
    void inListIsSplitPerShardAndParametersRebound() {
        RoutePlan.Sharded p =
                sharded("SELECT id FROM posts WHERE creator_id IN (?, ?, ?) AND status = ?", 1L, 2L, 65L, "x");
        assertThat(p.statements()).hasSize(2);
        assertThat(p.statements().get(0).sql())
                .isEqualTo("SELECT id FROM posts WHERE creator_id IN (?, ?) AND status = ?");
        assertThat(p.statements().get(0).parameters()).containsExactly(1L, 65L, "x");
        assertThat(p.statements().get(1).sql())
                .isEqualTo("SELECT id FROM posts WHERE creator_id IN (?) AND status = ?");
        assertThat(p.statements().get(1).parameters()).containsExactly(2L, "x");
    }

    @Test
    void dollarParametersAreRenumberedAfterASplit() {
        RoutePlan.Sharded p = sharded("SELECT id FROM posts WHERE status = $3 AND creator_id IN ($1, $2)", 1L, 2L, "x");
        assertThat(p.statements().get(1).sql())
                .isEqualTo("SELECT id FROM posts WHERE status = $1 AND creator_id IN ($2)");
        assertThat(p.statements().get(1).parameters()).containsExactly("x", 2L);
    }

    @Test
    void limitOffsetBecomesLimitNPlusMAndTheMergeSkips() {
        RoutePlan.Sharded p = sharded("SELECT id, title FROM posts ORDER BY id DESC LIMIT ? OFFSET ?", 10L, 20L);
        assertThat(p.statements()).hasSize(64);
        assertThat(p.statements().get(0).sql())
                .isEqualTo("SELECT id, title FROM posts ORDER BY id DESC LIMIT 30 OFFSET 0");
        assertThat(p.statements().get(0).parameters()).isEmpty();
        assertThat(p.merge().offset()).isEqualTo(20);
        assertThat(p.merge().limit()).isEqualTo(10);
        assertThat(p.merge().orderBy()).containsExactly(new Merge.SortKey(0, true, true));
        assertThat(p.merge().visibleColumns()).isEqualTo(2);
    }

    @Test
    void mysqlLimitFormIsRewrittenToo() {
        RoutePlan.Sharded p = sharded("SELECT id FROM posts ORDER BY id LIMIT 20, 10");
        assertThat(p.statements().get(0).sql()).isEqualTo("SELECT id FROM posts ORDER BY id LIMIT 0, 30");
        assertThat(p.merge().offset()).isEqualTo(20);
        assertThat(p.merge().limit()).isEqualTo(10);
    }

    @Test
    void avgBecomesSumWithAHiddenCountAndSortKeysAreAddedWhenNotSelected() {
        RoutePlan.Sharded p = sharded("SELECT status, avg(score) FROM posts GROUP BY status ORDER BY max(score)");
        assertThat(p.statements().get(0).sql())
                .isEqualTo("SELECT status, SUM(score), COUNT(score), max(score) FROM posts GROUP BY status"
                        + " ORDER BY max(score)");
        Merge m = p.merge();
        assertThat(m.visibleColumns()).isEqualTo(2);
        assertThat(m.groupBy()).containsExactly(0);
        assertThat(m.aggregates()).containsExactly(new Merge.Aggregate(1, Merge.Function.AVG, 2));
        assertThat(m.orderBy()).containsExactly(new Merge.SortKey(3, false, false));
    }

    @Test
    void starWithAnUnselectedSortKeyCountsHiddenColumnsFromTheEnd() {
        RoutePlan.Sharded p = sharded("SELECT * FROM posts ORDER BY created_at DESC, id LIMIT 10");
        assertThat(p.statements().get(0).sql())
                .isEqualTo("SELECT *, created_at, id FROM posts ORDER BY created_at DESC, id LIMIT 10");
        Merge m = p.merge();
        assertThat(m.visibleColumns()).isEqualTo(-3);
        assertThat(m.orderBy()).containsExactly(new Merge.SortKey(-2, true, true), new Merge.SortKey(-1, false, false));
        Merge resolved = m.resolve(7);
        assertThat(resolved.visibleColumns()).isEqualTo(5);
        assertThat(resolved.orderBy())
                .containsExactly(new Merge.SortKey(5, true, true), new Merge.SortKey(6, false, false));
    }

    @Test
    void groupedLimitStaysInTheMergeUnlessSortedByTheGroupColumns() {
        RoutePlan.Sharded byCount =
                sharded("SELECT status, count(*) FROM posts GROUP BY status ORDER BY count(*) DESC LIMIT 2");
        assertThat(byCount.statements().get(0).sql())
                .isEqualTo("SELECT status, count(*) FROM posts GROUP BY status ORDER BY count(*) DESC LIMIT "
                        + Long.MAX_VALUE);
        assertThat(byCount.merge().limit()).isEqualTo(2);
        RoutePlan.Sharded byKey = sharded("SELECT status, count(*) FROM posts GROUP BY status ORDER BY status LIMIT 2");
        assertThat(byKey.statements().get(0).sql())
                .isEqualTo("SELECT status, count(*) FROM posts GROUP BY status ORDER BY status LIMIT 2");
    }

    @Test
    void plainAggregatesNeedNoRewrite() {
        String sql = "SELECT count(*), sum(score), min(score), max(score) FROM posts";
        RoutePlan.Sharded p = sharded(sql);
        assertThat(p.statements()).allSatisfy(s -> assertThat(s.sql()).isEqualTo(sql));
        assertThat(p.merge().aggregates())
                .extracting(Merge.Aggregate::function)
                .containsExactly(Merge.Function.COUNT, Merge.Function.SUM, Merge.Function.MIN, Merge.Function.MAX);
    }

    @Test
    void multiRowInsertIsSplitPerShardWithItsTail() {
        RoutePlan.Sharded p = sharded(
                "INSERT INTO posts (id, creator_id) VALUES (?, ?), (?, ?), (?, ?) ON CONFLICT (id) DO NOTHING",
                1L,
                1L,
                2L,
                2L,
                3L,
                65L);
        assertThat(p.writes()).isTrue();
        assertThat(p.statements()).hasSize(2);
        ShardStatement first = p.statements().get(0);
        assertThat(first.sql())
                .isEqualTo("INSERT INTO posts (id, creator_id) VALUES (?, ?), (?, ?) ON CONFLICT (id) DO NOTHING");
        assertThat(first.parameters()).containsExactly(1L, 1L, 3L, 65L);
        assertThat(first.touchedKeys()).extracting(TouchedKey::creatorId).containsExactly(1L, 65L);
        assertThat(p.statements().get(1).parameters()).containsExactly(2L, 2L);
    }

    @Test
    void ormUpdateIsGuardedAndCheckedElsewhere() {
        RoutePlan plan = router.plan(
                "update posts set creator_id=?, title=? where id=? returning id",
                List.of(7L, "t", 1L),
                Fixtures.STABLE);
        RoutePlan.GuardedUpdate g = (RoutePlan.GuardedUpdate) plan;
        assertThat(g.guarded().sql())
                .isEqualTo("update posts set creator_id=?, title=? where (id=?) AND creator_id = ? returning id");
        assertThat(g.guarded().parameters()).containsExactly(7L, "t", 1L, 7L);
        assertThat(g.guarded().touchedKeys()).containsExactly(new TouchedKey("posts", 7, null, null));
        assertThat(g.existenceChecks()).hasSize(63).allSatisfy(c -> {
            assertThat(c.sql()).isEqualTo("SELECT 1 FROM posts WHERE id = ?");
            assertThat(c.parameters()).containsExactly(1L);
        });
    }

    @Test
    void writesWithoutKeyAreRefusedNamingTheTable() {
        assertThatThrownBy(() -> router.plan("DELETE FROM posts WHERE status = 'spam'", List.of(), Fixtures.STABLE))
                .isInstanceOfSatisfying(RoutingException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("0A000");
                    assertThat(e.getMessage()).contains("posts").contains("creator_id");
                });
    }

    @Test
    void syntaxErrorsCarryThePosition() {
        assertThatThrownBy(() -> router.plan("SELECT * FROM posts WHERE title = 'open", List.of(), Fixtures.STABLE))
                .isInstanceOfSatisfying(RoutingException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("42601");
                    assertThat(e.position()).isEqualTo(35);
                });
    }

    @Test
    void adminTyposSuggestTheNearestCommand() {
        assertThatThrownBy(() -> router.plan("SHOW SHARD VERSOIN", List.of(), Fixtures.STABLE))
                .isInstanceOfSatisfying(RoutingException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("42601");
                    assertThat(e.getMessage()).contains("SHOW SHARD VERSION");
                });
        RoutePlan.Admin a =
                (RoutePlan.Admin) router.plan("show cohorts where state = 'fenced';", List.of(), Fixtures.STABLE);
        assertThat(a.command()).isEqualTo(new AdminCommand(AdminCommand.Kind.SHOW_COHORTS, "FENCED"));
        RoutePlan.Admin e = (RoutePlan.Admin) router.plan("EXPLAIN ROUTE SELECT 1;", List.of(), Fixtures.STABLE);
        assertThat(e.command().argument()).isEqualTo("SELECT 1");
    }

    @Test
    void splitHonoursQuotesCommentsAndDollarQuoting() {
        assertThat(router.split("SELECT ';'; /* ; */ SELECT $$;$$ ; -- x;\n;SELECT \"a;b\";"))
                .containsExactly("SELECT ';'", "SELECT $$;$$", "SELECT \"a;b\"");
    }

    @Test
    void geoLayoutInsertWithoutRegionIsRefusedNamingTheColumn() {
        RoutingState geo = RoutingState.stable(Fixtures.GEO);
        assertThatThrownBy(() -> router.plan("INSERT INTO profiles (id, creator_id) VALUES (1, 7)", List.of(), geo))
                .isInstanceOfSatisfying(RoutingException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("0A000");
                    assertThat(e.getMessage()).contains("region");
                });
        RoutePlan.Sharded withRegion = (RoutePlan.Sharded)
                router.plan("INSERT INTO profiles (id, creator_id, region) VALUES (1, 7, 'us')", List.of(), geo);
        assertThat(withRegion.statements()).hasSize(1);
        RoutePlan.Sharded read =
                (RoutePlan.Sharded) router.plan("SELECT * FROM profiles WHERE creator_id = 7", List.of(), geo);
        assertThat(read.statements()).hasSize(2);
    }

    @Test
    void duringAMigrationAFencedCohortHoldsWritesAndLedgerRowsFollowTheirWindow() {
        Cohort c = new Cohort(1, 7, 0, 1_000, 10, false);
        RoutingState migrating = RoutingState.migrating(
                Fixtures.V1, Fixtures.V2, new CohortMap(List.of(c), Map.of(1, CohortState.FENCED)));
        RoutePlan.Sharded w = (RoutePlan.Sharded)
                router.plan("UPDATE posts SET title = 'x' WHERE creator_id = 7", List.of(), migrating);
        assertThat(w.writesHeld()).isTrue();
        RoutePlan.Sharded ledger = (RoutePlan.Sharded) router.plan(
                "INSERT INTO payments (id, creator_id, week) VALUES (1, 135, '2025_W48')", List.of(), migrating);
        assertThat(ledger.statements().get(0).shard().version()).isEqualTo(2);
        assertThat(ledger.statements().get(0).touchedKeys().get(0).window().toString())
                .isEqualTo("2025_W48");
        assertThatThrownBy(() ->
                        router.plan("INSERT INTO payments (id, creator_id) VALUES (1, 135)", List.of(), migrating))
                .isInstanceOfSatisfying(
                        RoutingException.class, e -> assertThat(e.getMessage()).contains("week"));
    }

    @Test
    void tableRulesWithoutShardedTablesRouteEverythingToTheDefaultShard() {
        SqlRouter plain = new SqlRouter(
                new TableRules(List.of(new TableRule("t", TableRule.Kind.UNSHARDED, null, null, null, null))), 10);
        assertThat(plain.plan("SELECT * FROM posts WHERE creator_id = 1", List.of(), Fixtures.STABLE))
                .isInstanceOf(RoutePlan.DefaultShard.class);
    }
}
