package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.digest.CohortDigest;
import io.vshard.manifest.digest.RowDigest;
import io.vshard.manifest.digest.RowEncoder;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.CohortMap;
import io.vshard.manifest.placement.Place;
import io.vshard.manifest.placement.Placement;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A group of cohorts copied in one pass places every row exactly where its own cohort's move would (DESIGN.md:
 * placement is a pure function of the manifests and the row's own cohort state), covers exactly the rows of
 * its cohorts, and its digests share out to each cohort without loss.
 */
class ScopeGroupTest {
    private static final Manifest V1 = scenario("v1");
    private static final Manifest V2 = scenario("v2");
    private static final TableRule LEDGER =
            new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", "region", "window_id", "payment_id");
    private static final TableRule CREATORS =
            new TableRule("creators", TableRule.Kind.SHARDED, "creator_id", "region", null, "creator_id");
    private static final CohortState[] OTHERS = {
        CohortState.PLANNED, CohortState.COPYING, CohortState.FENCED, CohortState.NEW
    };

    private static Manifest scenario(String name) {
        try {
            return ManifestCodec.parse(
                    name,
                    Files.readString(
                            Path.of("..", "conf", "scenario", "manifests").resolve(name + ".yaml")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One cohort per old shard; shards {@code first..first+size-1} form the group, the rest are in any state. */
    private static List<Cohort> cohorts() {
        List<Cohort> out = new ArrayList<>();
        for (int s = 0; s < 64; s++) {
            out.add(new Cohort(s + 1, s, Long.MIN_VALUE, Long.MAX_VALUE, 100, false));
        }
        return out;
    }

    private static RoutingState state(List<Cohort> all, Map<Integer, CohortState> states) {
        return new RoutingState(V1, V2, new CohortMap(all, states), true);
    }

    @Property(tries = 300)
    void aGroupPlacesEachRowAsItsOwnCohortsMove(
            @ForAll long creator,
            @ForAll("regions") String region,
            @ForAll @IntRange(min = 0, max = 63) int first,
            @ForAll @IntRange(min = 2, max = 16) int size,
            @ForAll @IntRange(min = 0, max = 3) int othersState,
            @ForAll("windows") WindowId window) {
        List<Cohort> all = cohorts();
        Map<Integer, CohortState> base = new HashMap<>();
        for (Cohort k : all) {
            base.put(k.id(), OTHERS[(k.id() + othersState) % OTHERS.length]);
        }
        List<Cohort> group = new ArrayList<>();
        Map<Integer, CohortState> from = new HashMap<>(base);
        Map<Integer, CohortState> to = new HashMap<>(base);
        for (int i = 0; i < size; i++) {
            Cohort k = all.get((first + i) % 64);
            group.add(k);
            from.put(k.id(), CohortState.COPYING);
            to.put(k.id(), CohortState.NEW);
        }
        Scope.Group scope = new Scope.Group(state(all, from), state(all, to), group);
        ShardKey key = ShardKey.of(creator, region);
        for (TableRule t : List.of(LEDGER, CREATORS)) {
            WindowId w = t == LEDGER ? window : null;
            Place before = Placement.locate(scope.from(), t, key, w);
            if (before.cohortId() == 0) {
                // A ledger row of the effective window or later: it follows the ledger's move, no cohort's.
                assertThat(scope.covers(t, null, before)).isFalse();
                continue;
            }
            Cohort mine = all.get(before.cohortId() - 1);
            boolean member = group.contains(mine);
            assertThat(scope.moves(mine.id())).isEqualTo(member);
            assertThat(scope.covers(t, null, before)).isEqualTo(member);
            if (member) {
                Map<Integer, CohortState> ownFrom = new HashMap<>(base);
                ownFrom.put(mine.id(), CohortState.COPYING);
                Map<Integer, CohortState> ownTo = new HashMap<>(base);
                ownTo.put(mine.id(), CohortState.NEW);
                Scope.Cohort own = new Scope.Cohort(state(all, ownFrom), state(all, ownTo), mine);
                assertThat(before).isEqualTo(Placement.locate(own.from(), t, key, w));
                assertThat(Placement.locate(scope.to(), t, key, w)).isEqualTo(Placement.locate(own.to(), t, key, w));
                assertThat(own.covers(t, null, before)).isTrue();
            }
        }
    }

    @Property(tries = 100)
    void aGroupsDigestsShareOutToItsCohortsWithoutLoss(
            @ForAll @IntRange(min = 1, max = 40) int creators, @ForAll @IntRange(min = 2, max = 5) int cohorts) {
        RowMover.Tally t = new RowMover.Tally();
        Map<Integer, Set<Long>> byCohort = new HashMap<>();
        CohortDigest whole = CohortDigest.EMPTY;
        for (long c = 1; c <= creators; c++) {
            byCohort.computeIfAbsent((int) (c % cohorts), x -> new HashSet<>()).add(c);
            for (long amount = 0; amount < c % 3 + 1; amount++) {
                RowEncoder enc = new RowEncoder();
                enc.addInteger(c);
                enc.addInteger(amount);
                RowDigest d = RowDigest.of(enc);
                t.add(t.before, "payments", c, d);
                t.add(t.after, "payments", c, d);
                whole = whole.add(d);
            }
        }
        CreatorDigests group = new CreatorDigests();
        group.absorb(t);
        CohortDigest sum = CohortDigest.EMPTY;
        for (Set<Long> mine : byCohort.values()) {
            CreatorDigests share = group.only(mine);
            assertThat(share.before()).isEqualTo(share.after());
            sum = sum.combine(share.before().get("payments"));
        }
        assertThat(sum).isEqualTo(whole);

        // A share brought up to date under the fence: one creator re-digested with a changed row differs.
        Set<Long> first = byCohort.values().iterator().next();
        long creator = first.iterator().next();
        CreatorDigests share = group.only(first);
        RowMover.Tally again = new RowMover.Tally();
        RowEncoder enc = new RowEncoder();
        enc.addInteger(creator);
        enc.addInteger(999);
        again.add(again.after, "payments", creator, RowDigest.of(enc));
        CreatorDigests fresh = new CreatorDigests();
        fresh.absorb(again);
        share.forget(List.of(creator));
        share.replace(fresh);
        assertThat(share.after()).isNotEqualTo(share.before());
    }

    @Provide
    Arbitrary<String> regions() {
        return Arbitraries.of("APAC", "NA", "EMEA", "LATAM").injectNull(0.1);
    }

    @Provide
    Arbitrary<WindowId> windows() {
        return Arbitraries.integers().between(-3, 3).map(d -> {
            WindowId w = V2.effectiveWindow();
            for (int i = 0; i < Math.abs(d); i++) {
                w = d < 0 ? w.previous() : w.next();
            }
            return w;
        });
    }
}
