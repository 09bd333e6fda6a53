package io.vshard.migrate;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts consecutive failures of the migrator's steps by {@link StepFailure#signature()}: a step that fails the
 * same way again counts up, a step that completes clears its cohort's counts. Loop thread only.
 */
final class FailureStreaks {
    private final Map<String, Integer> counts = new HashMap<>();

    /** Records {@code f}; returns how many times in a row its step failed this way. */
    int record(StepFailure f) {
        String prefix = f.cohort() + "/" + f.step() + "/";
        // Another SQLSTATE at the same step is a different failure: the streak starts again.
        counts.keySet().removeIf(k -> k.startsWith(prefix) && !k.equals(f.signature()));
        return counts.merge(f.signature(), 1, Integer::sum);
    }

    /** A move of {@code cohort} completed: its failures are no longer in a row. */
    void cleared(int cohort) {
        counts.keySet().removeIf(k -> k.startsWith(cohort + "/"));
    }

    /** Everything starts again (a step of no single cohort completed, or the migration was paused or resumed). */
    void clear() {
        counts.clear();
    }
}
