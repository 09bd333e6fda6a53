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

    /** A cohort's rows were copied and caught up; it is about to be fenced. */
    default void copied(Cohort cohort) {}

    /** A cohort became NEW. */
    default void flipped(Cohort cohort, long pauseMillis) {}

    /** A cohort moved back to PLANNED. */
    default void reverted(Cohort cohort) {}
}
