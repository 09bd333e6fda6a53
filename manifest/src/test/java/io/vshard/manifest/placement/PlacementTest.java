package io.vshard.manifest.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.Golden;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.window.WindowId;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The placement rule of DESIGN.md: one write target, candidates that always include it. */
class PlacementTest {
    static final Manifest V1 = Golden.manifest("v1.yaml");
    static final Manifest V2 = Golden.manifest("v2.yaml");
    static final TableRule LEDGER =
            new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", "region", "window_id", "payment_id");
    static final TableRule CREATORS =
            new TableRule("creators", TableRule.Kind.SHARDED, "creator_id", "region", null, "creator_id");
    static final WindowId EFFECTIVE = V2.effectiveWindow();

    @Test
    void stableLayoutUsesTheActiveVersion() {
        Place p = Placement.locate(RoutingState.stable(V1), CREATORS, ShardKey.of(1_000_045, "APAC"), null);
        assertThat(p.candidates()).hasSize(1);
        assertThat(p.writeTarget().version()).isEqualTo(1);
        assertThat(p.writeTarget().shard()).isEqualTo(1_000_045 % 64);
    }

    @Test
    void ledgerRowsFromTheEffectiveWindowGoToTheNewVersion() {
        CohortMap none = new CohortMap(List.of(), Map.of());
        RoutingState s = RoutingState.migrating(V1, V2, none);
        ShardKey k = ShardKey.of(1_000_045, "APAC");
        assertThat(Placement.locate(s, LEDGER, k, EFFECTIVE).writeTarget().version())
                .isEqualTo(2);
        assertThat(Placement.locate(s, LEDGER, k, EFFECTIVE.previous())
                        .writeTarget()
                        .version())
                .isEqualTo(1);
        Place read = Placement.locate(s, LEDGER, k, null);
        assertThat(read.writeTarget()).isNull();
        assertThat(read.candidates()).extracting(LogicalShard::version).containsExactly(1, 2);
        assertThat(Placement.locate(s, CREATORS, k, null).writeTarget().version())
                .isEqualTo(1);
    }

    @Property
    void cohortStateDecidesNonLedgerRows(
            @ForAll long creator, @ForAll("states") CohortState state, @ForAll("regions") String region) {
        int old = V1.shardOf(ShardKey.of(creator));
        Cohort c = new Cohort(1, old, Long.MIN_VALUE, Long.MAX_VALUE, 10, true);
        RoutingState s = RoutingState.migrating(V1, V2, new CohortMap(List.of(c), Map.of(1, state)));
        Place p = Placement.locate(s, CREATORS, ShardKey.of(creator, region), null);
        if (region == null && state.servedByNew()) {
            assertThat(p.writeTarget()).isNull();
            assertThat(p.candidates()).hasSize(4).allMatch(l -> l.version() == 2);
        } else {
            assertThat(p.candidates()).containsExactly(p.writeTarget());
            assertThat(p.writeTarget().version()).isEqualTo(state.servedByNew() ? 2 : 1);
            int expected = state.servedByNew() ? V2.shardOf(ShardKey.of(creator, region)) : old;
            assertThat(p.writeTarget().shard()).isEqualTo(expected);
        }
        assertThat(p.writesHeld()).isEqualTo(state.writesHeld());
        assertThat(p.cohortId()).isEqualTo(1);
    }

    @Property
    void aRowInAnotherCohortIsUntouched(@ForAll long creator) {
        int old = V1.shardOf(ShardKey.of(creator));
        Cohort elsewhere = new Cohort(1, (old + 1) % 64, Long.MIN_VALUE, Long.MAX_VALUE, 10, true);
        RoutingState s = RoutingState.migrating(V1, V2, new CohortMap(List.of(elsewhere), Map.of(1, CohortState.NEW)));
        Place p = Placement.locate(s, CREATORS, ShardKey.of(creator, "EMEA"), null);
        assertThat(p.writeTarget().version()).isEqualTo(1);
        assertThat(p.cohortId()).isZero();
    }

    /** The shortcut of keyed statements when no migration is published names what the placement rule names. */
    @Property
    void onlyShardOfIsTheStableLayoutsOneCandidate(
            @ForAll long creator, @ForAll("regions") String region, @ForAll boolean geo) {
        Manifest m = geo ? V2 : V1;
        ShardKey key = ShardKey.of(creator, region);
        List<LogicalShard> candidates =
                Placement.locate(RoutingState.stable(m), CREATORS, key, null).candidates();
        LogicalShard only = Placement.onlyShardOf(m, key);
        if (candidates.size() == 1) {
            assertThat(only).isSameAs(candidates.get(0));
        } else {
            assertThat(only).isNull();
        }
    }

    /**
     * The shortcut for a key with one shard per version gives exactly what the general rule gives (the rule
     * written out here as it stood before the shortcut): candidates in order, write target, held, cohort.
     */
    @Property
    void oneShardPerVersionIsTheGeneralRule(
            @ForAll long creator,
            @ForAll("states") CohortState state,
            @ForAll("regions") String region,
            @ForAll boolean ledgerOnNext,
            @ForAll boolean ledger,
            @ForAll("windows") WindowId window) {
        ShardKey key = ShardKey.of(creator, region == null ? "NA" : region);
        int old = V1.shardOf(key);
        Cohort c = new Cohort(7, old, Long.MIN_VALUE, Long.MAX_VALUE, 10, false);
        RoutingState s = new RoutingState(V1, V2, new CohortMap(List.of(c), Map.of(7, state)), ledgerOnNext);
        TableRule rule = ledger ? LEDGER : CREATORS;
        WindowId w = ledger ? window : null;
        assertThat(Placement.locate(s, rule, key, w)).isEqualTo(general(s, rule, key, w));
    }

    private static Place general(RoutingState state, TableRule table, ShardKey key, WindowId window) {
        List<LogicalShard> activeShards = Placement.shardsOf(state.active(), key);
        java.util.Set<LogicalShard> candidates = new java.util.LinkedHashSet<>();
        LogicalShard write = null;
        boolean held = false;
        int cohortId = 0;
        List<LogicalShard> nextShards = Placement.shardsOf(state.next(), key);
        boolean ledgerOnNext =
                table.windowed() && state.ledgerOnNext() && state.next().effectiveWindow() != null;
        if (ledgerOnNext && window != null && window.compareTo(state.next().effectiveWindow()) >= 0) {
            return new Place(nextShards, nextShards.size() == 1 ? nextShards.get(0) : null, false, 0);
        }
        for (LogicalShard o : activeShards) {
            Cohort cohort = state.cohorts().cohortOf(o.shard(), key.creatorId());
            CohortState cs = state.cohorts().stateOf(cohort);
            if (cohort != null) {
                cohortId = cohort.id();
            }
            held |= cs.writesHeld();
            if (cs.servedByNew()) {
                candidates.addAll(nextShards);
            } else {
                candidates.add(o);
            }
        }
        if (candidates.size() == 1) {
            write = candidates.iterator().next();
        }
        if (ledgerOnNext && window == null) {
            candidates.addAll(nextShards);
            write = null;
        }
        return new Place(new java.util.ArrayList<>(candidates), write, held, cohortId);
    }

    @Provide
    Arbitrary<WindowId> windows() {
        return Arbitraries.of(EFFECTIVE.previous(), EFFECTIVE, EFFECTIVE.next()).injectNull(0.4);
    }

    @Provide
    Arbitrary<CohortState> states() {
        return Arbitraries.of(CohortState.class);
    }

    @Provide
    Arbitrary<String> regions() {
        return Arbitraries.of("APAC", "NA", "EMEA", "LATAM").injectNull(0.2);
    }
}
