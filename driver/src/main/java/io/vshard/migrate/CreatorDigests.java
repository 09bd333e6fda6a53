package io.vshard.migrate;

import io.vshard.manifest.digest.CohortDigest;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cohort's digests per table and creator on both sides, taken before the fence and brought up to date
 * under it: the creators the final delta touched are forgotten and digested again, so the fenced part of the
 * check reads only those creators. Cohort digests combine by addition, so the cohort's digest is the sum of
 * its creators' digests.
 */
final class CreatorDigests {
    private final Map<String, Map<Long, CohortDigest>> before = new LinkedHashMap<>();
    private final Map<String, Map<Long, CohortDigest>> after = new LinkedHashMap<>();

    /** Takes (or replaces) the per-creator digests of a tally. */
    void absorb(RowMover.Tally t) {
        absorb(t.before, before);
        absorb(t.after, after);
    }

    /** Takes (or replaces) the per-creator digests of a tally's old side only. */
    void absorbBefore(RowMover.Tally t) {
        absorb(t.before, before);
    }

    /** Takes (or replaces) the per-creator digests of a tally's new side only. */
    void absorbAfter(RowMover.Tally t) {
        absorb(t.after, after);
    }

    private static void absorb(
            Map<String, Map<Long, CohortDigest.Accumulator>> from, Map<String, Map<Long, CohortDigest>> into) {
        from.forEach((table, creators) -> {
            Map<Long, CohortDigest> m = into.computeIfAbsent(table, k -> new HashMap<>());
            creators.forEach((creator, acc) -> m.put(creator, acc.result()));
        });
    }

    /** Drops what is known of {@code creators}, on both sides, before they are digested again. */
    void forget(Collection<Long> creators) {
        for (Map<Long, CohortDigest> m : before.values()) {
            m.keySet().removeAll(creators);
        }
        for (Map<Long, CohortDigest> m : after.values()) {
            m.keySet().removeAll(creators);
        }
    }

    /** Takes (or replaces) every per-creator digest {@code other} holds, on both sides. */
    void replace(CreatorDigests other) {
        other.before.forEach((table, m) ->
                before.computeIfAbsent(table, k -> new HashMap<>()).putAll(m));
        other.after.forEach(
                (table, m) -> after.computeIfAbsent(table, k -> new HashMap<>()).putAll(m));
    }

    /** The digests of {@code creators} alone: one cohort's share of a pass over several cohorts. */
    CreatorDigests only(java.util.Set<Long> creators) {
        CreatorDigests out = new CreatorDigests();
        keep(before, out.before, creators);
        keep(after, out.after, creators);
        return out;
    }

    private static void keep(
            Map<String, Map<Long, CohortDigest>> from,
            Map<String, Map<Long, CohortDigest>> into,
            java.util.Set<Long> creators) {
        from.forEach((table, all) -> {
            Map<Long, CohortDigest> mine = into.computeIfAbsent(table, k -> new HashMap<>());
            all.forEach((creator, d) -> {
                if (creators.contains(creator)) {
                    mine.put(creator, d);
                }
            });
        });
    }

    Map<String, CohortDigest> before() {
        return totals(before);
    }

    Map<String, CohortDigest> after() {
        return totals(after);
    }

    private static Map<String, CohortDigest> totals(Map<String, Map<Long, CohortDigest>> side) {
        Map<String, CohortDigest> out = new LinkedHashMap<>();
        side.forEach((table, creators) -> {
            CohortDigest sum = CohortDigest.EMPTY;
            for (CohortDigest d : creators.values()) {
                sum = sum.combine(d);
            }
            out.put(table, sum);
        });
        return out;
    }
}
