package io.vshard.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.Verification;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.function.GeoAwareHash;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import io.vshard.sql.route.PlacedRead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A read planned once per text ({@link PlacedRead}) gives, for random keys and random routing states (no
 * migration, cohorts in every state, the ledger's effective window on or off, old and new places sharing a
 * location or not, identity and geo-aware layouts), exactly the plan the router's full plan gives: the same
 * shards, texts, parameters and merge with its placement check, or the same refusal.
 */
class PlacedReadTest {
    private static final TableRules RULES = new TableRules(List.of(
            new TableRule("posts", TableRule.Kind.SHARDED, "creator_id", null, null, "id"),
            new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", "region", "window_id", "id"),
            new TableRule("profiles", TableRule.Kind.SHARDED, "creator_id", "region", null, "id"),
            new TableRule("countries", TableRule.Kind.BROADCAST, null, null, null, "code")));
    private static final SqlRouter ROUTER = new SqlRouter(RULES, 10_000);
    private static final WindowId EFFECTIVE = WindowId.parse("2027_W01");

    private static final Manifest V1 = manifest(1, 0, new ModHash(KeyHash.IDENTITY, 64), "ds", 63, null);
    private static final Manifest GEO_V1 =
            manifest(1, 0, new GeoAwareHash(16, Map.of("EU", 1, "US", 1), "EU"), "ds", 15, null);
    /** Next layouts: on other databases, on the old ones (some shards keep their location), geo-aware. */
    private static final List<Manifest> NEXT = List.of(
            manifest(2, 1, new ModHash(KeyHash.IDENTITY, 128), "ds2", 127, EFFECTIVE),
            manifest(2, 1, new ModHash(KeyHash.IDENTITY, 128), "ds", 127, EFFECTIVE),
            manifest(2, 1, new GeoAwareHash(128, Map.of("EU", 2, "US", 1, "APAC", 1), "EU"), "ds2", 127, EFFECTIVE));

    private static final List<String> READS = List.of(
            "SELECT COUNT(*), SUM(amount) FROM payments WHERE creator_id = ? AND region = ?",
            "SELECT * FROM payments WHERE creator_id = ?",
            "SELECT id, amount FROM payments WHERE region = ? AND creator_id = ? ORDER BY id DESC",
            "SELECT AVG(amount * ?) FROM payments WHERE creator_id = $2 AND window_id = $3",
            "SELECT region, COUNT(*) FROM payments WHERE creator_id = ? GROUP BY region",
            "SELECT DISTINCT region FROM profiles WHERE creator_id = ?",
            "SELECT p.title, c.name FROM posts p JOIN countries c ON c.code = p.country WHERE p.creator_id = ?",
            "SELECT title FROM posts WHERE creator_id IN (?) AND id > ?");

    @Test
    void plansOnceAsTheFullPlanForRandomKeysAndCohortStates() {
        SplittableRandom rnd = new SplittableRandom(20261127);
        List<RoutingState> states = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            states.add(randomState(rnd));
        }
        int fanOuts = 0;
        int planned = 0;
        for (String sql : READS) {
            PlacedRead placed = ROUTER.placedRead(sql);
            assertThat(placed).as(sql).isNotNull();
            for (RoutingState state : states) {
                for (int k = 0; k < 40; k++) {
                    List<Object> parameters = parameters(sql, rnd);
                    RoutePlan full;
                    try {
                        full = ROUTER.plan(sql, parameters, state);
                    } catch (RoutingException e) {
                        Throwable t = catchThrowable(() -> placed.plan(parameters, state));
                        assertThat(t).as("%s %s", sql, parameters).isInstanceOf(RoutingException.class);
                        assertThat(((RoutingException) t).sqlState()).isEqualTo(e.sqlState());
                        continue;
                    }
                    assertThat(placed.plan(parameters, state))
                            .as("%s with %s under %s", sql, parameters, state)
                            .isEqualTo(full);
                    planned++;
                    fanOuts += ((RoutePlan.Sharded) full).statements().size() > 1 ? 1 : 0;
                }
            }
        }
        assertThat(planned).isGreaterThan(READS.size() * 1000);
        assertThat(fanOuts).as("keys in two places were drawn").isGreaterThan(1000);
    }

    /** Window values a row may hold: valid before, at and after the effective window, and every odd kind. */
    private static final List<String> ROW_WINDOWS = Arrays.asList(
            null,
            "2026_W52",
            "2026_W53",
            "2027_W01",
            "2027_W02",
            "9999_W52",
            "0000_W01",
            " 2027_W02",
            "2026_W52\t",
            "2027_W53",
            "2027_W00",
            "2027_W54",
            "2027_w02",
            "2027-W02",
            "garbage",
            "",
            "2027_W02x");

    @Test
    void windowTextsKeepExactlyWhatThePlacementCheckKeepsInEveryRoutingState() {
        SplittableRandom rnd = new SplittableRandom(20261128);
        int split = 0;
        int checked = 0;
        for (int i = 0; i < 400; i++) {
            RoutingState state = randomState(rnd);
            // the point aggregate, and a row read with its ORDER BY after the WHERE and the key in reverse order
            String sql = READS.get(i % 2 == 0 ? 0 : 2);
            boolean point = sql.equals(READS.get(0));
            PlacedRead placed = ROUTER.placedRead(sql);
            for (int k = 0; k < 40; k++) {
                List<Object> parameters = parameters(sql, rnd);
                RoutePlan.Sharded full;
                try {
                    full = (RoutePlan.Sharded) ROUTER.plan(sql, parameters, state);
                } catch (RoutingException e) {
                    continue;
                }
                RoutePlan.Sharded windowed = placed.plan(parameters, state, at -> true);
                if (windowed.equals(full)) {
                    checked += full.merge().placement() != null ? 1 : 0;
                    continue;
                }
                split++;
                assertThat(full.merge().placement())
                        .as("only a checked read is split")
                        .isNotNull();
                assertThat(windowed.merge()).isEqualTo(withoutCheck(full));
                assertThat(windowed.statements()).hasSize(2);
                ShardLocation second = windowed.statements().get(1).shard().location();
                assertThat(placed.plan(parameters, state, at -> !at.equals(second)))
                        .as("a location that cannot run the window texts gets the check")
                        .isEqualTo(full);
                PlacementFilter check = new PlacementFilter(state, RULES.find("payments"), 0, 1, 2);
                for (int s = 0; s < 2; s++) {
                    ShardStatement st = windowed.statements().get(s);
                    ShardStatement fullSt = full.statements().get(s);
                    assertThat(st.shard()).isEqualTo(fullSt.shard());
                    assertThat(st.parameters()).isEqualTo(parameters);
                    boolean older = st.sql().contains(">= '2027_W01'");
                    assertThat(st.sql())
                            .startsWith(
                                    point
                                            ? "SELECT COUNT(*), SUM(amount) FROM payments WHERE (creator_id = ? AND"
                                                    + " region = ?) AND NOT CASE WHEN translate("
                                            : "SELECT id, amount FROM payments WHERE (region = ? AND creator_id = ?)"
                                                    + " AND NOT CASE WHEN translate(")
                            .contains("= '0000_W00' THEN CAST(window_id AS text) COLLATE \"C\""
                                    + (older ? " >= '" : " < '") + EFFECTIVE + "' AND ")
                            .endsWith((older ? ">= '" : "< '") + EFFECTIVE + "', FALSE) END"
                                    + (point ? "" : " ORDER BY id DESC"));
                    for (String w : ROW_WINDOWS) {
                        Object[] row = point
                                ? new Object[] {parameters.get(0), parameters.get(1), w}
                                : new Object[] {parameters.get(1), parameters.get(0), w};
                        assertThat(windowRuleKeeps(w, older))
                                .as("%s at %s under %s", w, st.shard(), state)
                                .isEqualTo(check.keeps(row, st.shard().location()));
                    }
                }
                assertThat(windowed.statements().get(0).sql())
                        .isNotEqualTo(windowed.statements().get(1).sql());
            }
        }
        assertThat(split).as("reads split by window").isGreaterThan(500);
        assertThat(checked)
                .as("two-place reads the window cannot decide keep the check")
                .isGreaterThan(100);
    }

    @Test
    void windowTextsNeedAPlainWhereOnOneLedgerTableNamingCreatorAndRegion() {
        RoutingState state = new RoutingState(V1, NEXT.get(0), CohortMap.EMPTY, true);
        List<Object> key = List.of(7L, "EU");
        String point = READS.get(0);
        assertThat(ROUTER.placedRead(point).plan(key, state, at -> true))
                .as("the point read is split in this state")
                .isNotEqualTo(ROUTER.plan(point, key, state));
        for (String sql : List.of(
                "SELECT * FROM payments WHERE creator_id = ? AND region <> ?",
                "SELECT COUNT(*) FROM payments WHERE region = ? AND (creator_id = ? OR creator_id = 7)",
                "SELECT COUNT(*) FROM payments p JOIN countries c ON c.code = p.region WHERE p.creator_id = ?"
                        + " AND p.region = ?",
                "SELECT COUNT(*) FROM payments p, countries c WHERE p.creator_id = ? AND p.region = ?",
                "SELECT COUNT(*) FROM payments WHERE creator_id = ? AND region = ? AND window_id = '2026_W50'")) {
            PlacedRead placed = ROUTER.placedRead(sql);
            if (placed != null) {
                assertThat(placed.plan(key, state, at -> true)).as(sql).isEqualTo(ROUTER.plan(sql, key, state));
            }
        }
    }

    /** The rule the window texts carry: NULL and invalid windows kept where found, valid ones on their side. */
    private static boolean windowRuleKeeps(String window, boolean older) {
        if (window == null) {
            return true;
        }
        WindowId w;
        try {
            w = WindowId.parse(window);
        } catch (IllegalArgumentException invalid) {
            return true;
        }
        return older == w.compareTo(EFFECTIVE) < 0;
    }

    /** The full plan's merge as it is without a migration: no per-row check, no key columns. */
    private static Merge withoutCheck(RoutePlan.Sharded full) {
        Merge m = full.merge();
        return new Merge(m.orderBy(), m.offset(), m.limit(), m.groupBy(), m.aggregates(), m.distinct(), 2);
    }

    @Test
    void readsWhoseShardTextDependsOnValuesArePlannedInFull() {
        for (String sql : List.of(
                "SELECT title FROM posts WHERE creator_id = ? LIMIT ?",
                "SELECT title FROM posts WHERE creator_id = ? ORDER BY id OFFSET 5",
                "SELECT title FROM posts WHERE creator_id IN (?, ?)",
                "SELECT title FROM posts WHERE creator_id = ANY(?)",
                "SELECT title FROM posts WHERE id = ?",
                "SELECT code FROM countries WHERE code = ?",
                "UPDATE posts SET title = ? WHERE creator_id = ?",
                "INSERT INTO posts (id, creator_id) VALUES (?, ?)",
                "EXPLAIN SELECT title FROM posts WHERE creator_id = ?")) {
            assertThat(ROUTER.placedRead(sql)).as(sql).isNull();
        }
    }

    private static List<Object> parameters(String sql, SplittableRandom rnd) {
        int n = 0;
        for (char c : sql.toCharArray()) {
            n += c == '?' ? 1 : 0;
        }
        n = sql.contains("$3") ? 3 : n;
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(null);
        }
        Object creator =
                switch (rnd.nextInt(20)) {
                    case 0 -> null;
                    case 1 -> "not a number";
                    case 2 -> Long.toString(rnd.nextLong(1_000_000));
                    default -> rnd.nextLong(1_000_000);
                };
        Object region =
                switch (rnd.nextInt(6)) {
                    case 0 -> null;
                    case 1 -> "APAC";
                    case 2 -> "US";
                    default -> "EU";
                };
        String window = "2026_W5" + rnd.nextInt(3);
        if (rnd.nextBoolean()) {
            window = "2027_W0" + (1 + rnd.nextInt(3));
        }
        if (sql.contains("$2")) {
            return Arrays.asList(rnd.nextInt(1, 4), creator, window);
        }
        if (sql.contains("region = ? AND creator_id")) {
            return Arrays.asList(region, creator);
        }
        out.set(0, creator);
        if (n > 1) {
            out.set(1, sql.contains("region") ? region : rnd.nextLong(100));
        }
        return out;
    }

    private static RoutingState randomState(SplittableRandom rnd) {
        Manifest active = rnd.nextInt(4) == 0 ? GEO_V1 : V1;
        if (rnd.nextInt(8) == 0) {
            return RoutingState.stable(active);
        }
        Manifest next = NEXT.get(rnd.nextInt(NEXT.size()));
        CohortState[] all = CohortState.values();
        List<Cohort> cohorts = new ArrayList<>();
        Map<Integer, CohortState> at = new HashMap<>();
        int id = 1;
        for (int shard = 0; shard < active.shardCount(); shard++) {
            long split = rnd.nextLong(1, 1_000_000);
            cohorts.add(new Cohort(id, shard, 0, split - 1, 10, id == 1));
            at.put(id++, all[rnd.nextInt(all.length)]);
            if (rnd.nextBoolean()) {
                cohorts.add(new Cohort(id, shard, split, Long.MAX_VALUE, 10, false));
                at.put(id++, all[rnd.nextInt(all.length)]);
            }
        }
        CohortMap map = rnd.nextInt(10) == 0 ? CohortMap.EMPTY : new CohortMap(cohorts, at);
        return new RoutingState(active, next, map, rnd.nextInt(4) != 0);
    }

    private static Manifest manifest(
            int version, int previous, io.vshard.manifest.function.ShardFunction f, String ds, int last, WindowId w) {
        return new Manifest(
                version,
                previous,
                f,
                List.of(new PlacementRule(0, last, ds, "shard_%03d")),
                w == null ? null : java.time.Instant.parse("2026-12-28T00:00:00Z"),
                w,
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
    }
}
