package io.vshard.sql.route;

import java.util.ArrayList;
import java.util.List;

/**
 * A key condition: a disjunction of {@link Alt}s, or {@code alts == null} when nothing is known. A
 * disjunction pins a shard only if every branch pins one, which {@link #or} keeps by giving up on any
 * unconstrained branch.
 *
 * @param alts the alternatives, or {@code null}
 * @param inList the slots of the IN list the alternatives came from (per-shard splitting), or {@code null}
 */
record Cond(List<Alt> alts, int[] inList) {
    static final Cond UNKNOWN = new Cond(null, null);
    private static final int MAX_ALTERNATIVES = 4096;

    static Cond of(Alt alt) {
        return new Cond(List.of(alt), null);
    }

    boolean known() {
        return alts != null;
    }

    Cond and(Cond o) {
        if (alts == null) {
            return o;
        }
        if (o.alts == null) {
            return this;
        }
        if ((long) alts.size() * o.alts.size() > MAX_ALTERNATIVES) {
            return alts.size() <= o.alts.size() ? this : o;
        }
        List<Alt> out = new ArrayList<>(alts.size() * o.alts.size());
        for (Alt a : alts) {
            for (Alt b : o.alts) {
                out.add(a.and(b));
            }
        }
        int[] in = alts.size() == 1 ? o.inList : o.alts.size() == 1 ? inList : null;
        return new Cond(out, in);
    }

    Cond or(Cond o) {
        if (alts == null || o.alts == null || alts.size() + o.alts.size() > MAX_ALTERNATIVES) {
            return UNKNOWN;
        }
        List<Alt> out = new ArrayList<>(alts);
        out.addAll(o.alts);
        return new Cond(out, null);
    }
}
