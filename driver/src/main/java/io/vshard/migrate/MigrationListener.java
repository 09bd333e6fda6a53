package io.vshard.migrate;

import io.vshard.manifest.cohort.Cohort;

/**
 * Observes the migrator's steps (progress displays, tests that inject faults at a precise moment). Called on
 * the migrator's threads, for cohorts moving at once possibly concurrently; implementations must be
 * thread-safe and return quickly.
 */
public interface MigrationListener {
    /** Does nothing. */
    MigrationListener NONE = new MigrationListener() {};

    /** The protocol steps of a forward cohort move whose wall time {@link #timed} reports. */
    enum Step {
        /** Listing the cohort's creators and the first copy pass (old side read, new side written). */
        COPY,
        /** The catch-up rounds from the journal before the fence, with their progress record. */
        CATCH_UP,
        /** The digest read before the fence (the new side; the old side too when the copy did not digest it). */
        DIGEST,
        /** From the FENCED record to every live router's acknowledgement. */
        FENCE_WAIT,
        /** Under the acknowledged fence: the final delta, its digests, the check record and the flip to NEW. */
        FINAL_DELTA
    }

    /** A cohort's rows were copied and caught up; it is about to be fenced. */
    default void copied(Cohort cohort) {}

    /** A cohort became NEW. */
    default void flipped(Cohort cohort, long pauseMillis) {}

    /** A cohort moved back to PLANNED. */
    default void reverted(Cohort cohort) {}

    /** A forward move of {@code cohort} spent {@code nanos} of wall time in {@code step}. */
    default void timed(Cohort cohort, Step step, long nanos) {}
}
